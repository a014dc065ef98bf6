/**
 * Turns what went wrong into one line that says what to do. Amplify reports
 * an unreachable API as "A network error has occurred." with the real cause
 * (ECONNREFUSED, an untrusted certificate, …) a few levels down; we look
 * there first.
 */
import { graphqlErrorLines } from '../lib/graphql-client.ts';

/** The causes worth their own message, by Node's error codes. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
const certificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Every error reachable from this one: Amplify rejects with `{ errors }` of
 * GraphQLErrors whose `originalError` is its NetworkError, whose
 * `underlyingError` is fetch's TypeError, whose `cause` has Node's code.
 */
function causes(error: unknown, seen = new Set<unknown>()): unknown[] {
  if (error === null || typeof error !== 'object' || seen.has(error)) return [];
  seen.add(error);
  const { errors, originalError, underlyingError, cause } = error as { errors?: unknown[]; originalError?: unknown; underlyingError?: unknown; cause?: unknown };
  const next = [...(Array.isArray(errors) ? errors : []), originalError, underlyingError, cause];
  return [error, ...next.flatMap((inner) => causes(inner, seen))];
}

const codesOf = (error: unknown): string[] =>
  causes(error).flatMap((cause) => {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? [code] : [];
  });

const isLoopback = (url: string): boolean => {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

/** Whether the error says the API did not answer at all (as opposed to answering with errors). */
export function isUnreachable(error: unknown): boolean {
  const codes = codesOf(error);
  if (codes.some((code) => unreachableCodes.has(code) || certificateCodes.has(code))) return true;
  return causes(error).some((cause) => (cause as { name?: unknown }).name === 'NetworkError');
}

/**
 * One line for the user. `graphqlUrl` is the API the CLI talks to: for the
 * local stack, the hint is to start it.
 */
export function describeFailure(error: unknown, graphqlUrl: string): string {
  const codes = codesOf(error);
  const certificate = codes.find((code) => certificateCodes.has(code));
  if (certificate) {
    const hint = isLoopback(graphqlUrl)
      ? 'run the CLI as npx labelcast or npm run cli, which trust .labelcast/tls/ca.pem, or set NODE_EXTRA_CA_CERTS=.labelcast/tls/ca.pem'
      : 'check the system clock and the certificate';
    return `cannot trust the certificate of ${graphqlUrl} (${certificate}): ${hint}`;
  }
  if (isUnreachable(error)) {
    return isLoopback(graphqlUrl)
      ? `cannot reach ${graphqlUrl}: is \`npm start\` running?`
      : `cannot reach ${graphqlUrl}: check your network and that the stack is deployed`;
  }
  return graphqlErrorLines(error).join('; ');
}
