/**
 * What went wrong, in words that say what to do. A browser reports an
 * unreachable server and a certificate it does not trust the same way (a
 * TypeError from fetch), so the gallery tells them apart by asking its own
 * origin: the local stack serves the page too, so if the page's server
 * answers while the API does not, the API's certificate is the likely cause.
 */
import { graphqlErrorLines } from '../../lib/graphql-client.ts';

/** AppSync's errors as one readable line: `errorType: message`. */
export const describeError = (error: unknown): string => graphqlErrorLines(error).join('; ');

/** Whether the call never got an answer (no server, refused TLS, offline), as opposed to an answer that is an error. */
export function isNetworkFailure(error: unknown): boolean {
  return /network ?error|failed to fetch|load failed|networkerror/i.test(describeError(error));
}

/** A host only this machine reaches: its certificate is the local CA's. */
const isLocalHost = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** Whether the page's own server still answers (then the API, not the network, is what fails). */
async function pageServerAnswers(): Promise<boolean> {
  try {
    return (await fetch('./amplify_outputs.json', { cache: 'no-store' })).ok;
  } catch {
    return false;
  }
}

/**
 * The message for a call to `url` that got no answer.
 * @example await unreachableMessage('https://127.0.0.1:4750/graphql')
 * // "Cannot reach the API at https://127.0.0.1:4750: is `npm start` running?"
 */
export async function unreachableMessage(url: string, what = 'the API'): Promise<string> {
  const target = new URL(url);
  if (!navigator.onLine) return `You are offline: ${what} at ${target.origin} cannot be reached.`;
  if (isLocalHost(target) && target.origin !== location.origin && (await pageServerAnswers())) {
    return `Your browser does not trust ${what}'s certificate at ${target.origin}: open ${target.origin}/ once and accept it, or trust .labelcast/tls/ca.pem (README, "The web gallery").`;
  }
  return `Cannot reach ${what} at ${target.origin}: is \`npm start\` running?`;
}

/** A readable message for any failed call: network failures get `unreachableMessage`, AppSync errors their own text. */
export async function explainError(error: unknown, url: string, what?: string): Promise<string> {
  return isNetworkFailure(error) ? unreachableMessage(url, what) : describeError(error);
}
