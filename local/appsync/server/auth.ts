/**
 * Who is calling, decided the way AppSync decides it: a SigV4 `Authorization`
 * header means AWS_IAM, any other `Authorization` a user-pool JWT
 * (AMAZON_COGNITO_USER_POOLS, verified against the local user pool), an
 * `x-api-key` header means API_KEY; anything else is refused. Shared by HTTPS requests and the realtime endpoint (whose
 * auth headers travel inside messages). An AWS_IAM caller also carries what
 * its policy allows of `appsync:GraphQL`, checked per root field.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthMode } from '../../../api/manifest.ts';
import type { LocalUserPool } from '../../cognito/user-pool.ts';
import type { CredentialStore } from '../../iam/credentials.ts';
import { localGraphqlFieldArn } from '../../iam/local-arns.ts';
import { deniedMessage, principalFor, type PrincipalDirectory } from '../../iam/principals.ts';
import { sigV4FailureBeforeBody, verifySigV4 } from '../../iam/sigv4.ts';
import { RequestErrors, sigV4RequestError, type RequestError } from './errors.ts';

/** The local stack's one AWS account. */
export const localAccountId = '000000000000';

/** AppSync's `ctx.identity` for AWS_IAM callers. */
export interface IamIdentity {
  readonly accountId: string;
  readonly cognitoIdentityPoolId: string | null;
  readonly cognitoIdentityId: string | null;
  readonly cognitoIdentityAuthType: string | null;
  readonly cognitoIdentityAuthProvider: string | null;
  readonly sourceIp: readonly string[];
  readonly username: string;
  readonly userArn: string;
}

/** AppSync's `ctx.identity` for AMAZON_COGNITO_USER_POOLS callers. */
export interface CognitoIdentity {
  readonly sub: string;
  readonly issuer: string;
  readonly username: string;
  /** Every claim of the token, as decoded. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly sourceIp: readonly string[];
  /** The user-pool config's default action; ALLOW unless an API sets DENY. */
  readonly defaultAuthStrategy: 'ALLOW';
  /** `cognito:groups`, or null for a user in no group. */
  readonly groups: readonly string[] | null;
}

export type Caller =
  | { readonly mode: typeof AuthMode.API_KEY; readonly identity: null }
  | {
      readonly mode: typeof AuthMode.IAM;
      readonly identity: IamIdentity;
      /**
       * Whether the signer's policy allows `appsync:GraphQL` on this root field
       * (`…:apis/<apiId>/types/<Type>/fields/<field>`); AppSync answers a refused
       * field as any unauthorized one (execute.ts).
       */
      readonly mayAccessRootField: (typeName: string, fieldName: string) => boolean;
    }
  | { readonly mode: typeof AuthMode.USER_POOL; readonly identity: CognitoIdentity };

export type AuthResult = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly error: RequestError };

export interface AuthSettings {
  readonly apiKey: string;
  /** The key pairs AWS_IAM accepts; a PrincipalDirectory also says what each may do (a plain store: the administrator). */
  readonly credentials: CredentialStore | PrincipalDirectory;
  readonly region: string;
  /** The API's modes; a credential for any other mode is refused. */
  readonly authModes: readonly AuthMode[];
  /** Verifies AMAZON_COGNITO_USER_POOLS tokens; without it that mode refuses every token. */
  readonly userPool?: Pick<LocalUserPool, 'verify'>;
}

/** A request to authenticate: what was signed, if it is SigV4. */
export interface AuthRequest {
  readonly method: string;
  /** Path and query as sent (`/graphql`, `/graphql/connect`). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly sourceIp: string;
}

/**
 * AppSync's identity for a verified SigV4 signer. `userArn` is the signer's
 * principal as AWS names it (local/iam/principals.ts): a function's session
 * is its assumed role, `arn:aws:sts::000000000000:assumed-role/<role>/<function>`,
 * as AppSync shows a Lambda execution role; the account's own key pair is the
 * account, `arn:aws:iam::000000000000:root`. `username` stays the access key id.
 */
export const iamIdentity = (args: { readonly accessKeyId: string; readonly userArn: string; readonly sourceIp: string }): IamIdentity => ({
  accountId: localAccountId,
  cognitoIdentityPoolId: null,
  cognitoIdentityId: null,
  cognitoIdentityAuthType: null,
  cognitoIdentityAuthProvider: null,
  sourceIp: [args.sourceIp],
  username: args.accessKeyId,
  userArn: args.userArn,
});

/** AppSync's identity for a verified user-pool token (ID or access token). */
export const cognitoIdentity = (claims: Readonly<Record<string, unknown>>, sourceIp: string): CognitoIdentity => {
  const groups = claims['cognito:groups'];
  const username = claims.token_use === 'id' ? claims['cognito:username'] : claims.username;
  return {
    sub: String(claims.sub),
    issuer: String(claims.iss),
    username: typeof username === 'string' ? username : String(claims.sub),
    claims,
    sourceIp: [sourceIp],
    defaultAuthStrategy: 'ALLOW',
    groups: Array.isArray(groups) ? groups.map(String) : null,
  };
};

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const sameSecret = (given: string, expected: string) => {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
};

const sha256Hex = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

/** Whether the request names AWS_IAM: a SigV4 `Authorization`, on an API that takes it. */
const signsWithSigV4 = (authorization: string | undefined, settings: AuthSettings) =>
  authorization?.startsWith('AWS4-HMAC-SHA256') === true && settings.authModes.includes(AuthMode.IAM);

const sigV4Options = (settings: AuthSettings) => ({ credentials: settings.credentials, service: 'appsync', region: settings.region });

/** Every mode but AWS_IAM: none of them looks at the body. */
function authenticateWithoutBody(request: Omit<AuthRequest, 'body'>, settings: AuthSettings): AuthResult {
  const authorization = header(request.headers, 'authorization');
  // A JWT goes as it is, without "Bearer" (AppSync refuses that prefix too).
  if (authorization !== undefined && settings.authModes.includes(AuthMode.USER_POOL)) {
    const verified = settings.userPool?.verify(authorization);
    if (!verified?.ok) return { ok: false, error: verified?.reason === 'expired' ? RequestErrors.tokenExpired() : RequestErrors.unauthorized() };
    return { ok: true, caller: { mode: AuthMode.USER_POOL, identity: cognitoIdentity(verified.claims, request.sourceIp) } };
  }
  const apiKey = header(request.headers, 'x-api-key');
  if (apiKey !== undefined && settings.authModes.includes(AuthMode.API_KEY)) {
    if (!sameSecret(apiKey, settings.apiKey)) return { ok: false, error: RequestErrors.unauthorized() };
    return { ok: true, caller: { mode: AuthMode.API_KEY, identity: null } };
  }
  return { ok: false, error: RequestErrors.unauthorized() };
}

/**
 * What `authenticate` answers, decided from the request line and headers alone, so that the HTTPS endpoint
 * refuses a bad credential before it reads (and buffers) a byte of the body: the whole answer for an API key, a
 * user-pool token or no credential, none of which looks at the body; for AWS_IAM the failures its headers show
 * (sigV4FailureBeforeBody: malformed, an unknown key, a wrong token, a stale time), else undefined: only the
 * signature over the body is left, and `authenticate` checks it once the body is read.
 */
export function authenticateBeforeBody(request: Omit<AuthRequest, 'body'>, settings: AuthSettings): AuthResult | undefined {
  if (!signsWithSigV4(header(request.headers, 'authorization'), settings)) return authenticateWithoutBody(request, settings);
  const failure = sigV4FailureBeforeBody({ method: request.method, url: request.url, headers: request.headers }, sigV4Options(settings));
  return failure ? { ok: false, error: sigV4RequestError(failure.code, failure.message) } : undefined;
}

export async function authenticate(request: AuthRequest, settings: AuthSettings): Promise<AuthResult> {
  if (!signsWithSigV4(header(request.headers, 'authorization'), settings)) return authenticateWithoutBody(request, settings);
  const verified = await verifySigV4(
    { method: request.method, url: request.url, headers: request.headers, payloadHash: sha256Hex(request.body) },
    sigV4Options(settings),
  );
  if (!verified.ok) return { ok: false, error: sigV4RequestError(verified.code, verified.message) };
  const principal = principalFor(settings.credentials, verified.accessKeyId);
  // A verified key always has a principal; a key without one is no identity AppSync knows.
  if (principal === undefined) return { ok: false, error: sigV4RequestError('InvalidAccessKeyId', 'unknown access key') };
  const mayAccessRootField = (typeName: string, fieldName: string) =>
    deniedMessage(principal, [{ action: 'appsync:GraphQL', resource: localGraphqlFieldArn(settings.region, typeName, fieldName) }]) === undefined;
  const identity = iamIdentity({ accessKeyId: verified.accessKeyId, userArn: principal.arn, sourceIp: request.sourceIp });
  return { ok: true, caller: { mode: AuthMode.IAM, identity, mayAccessRootField } };
}

/** Headers from a JSON object (realtime auth), lower-cased and string-valued as Node gives them. */
export function headersFromObject(value: unknown): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  if (typeof value !== 'object' || value === null) return headers;
  for (const [name, raw] of Object.entries(value)) {
    if (typeof raw === 'string') headers[name.toLowerCase()] = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') headers[name.toLowerCase()] = String(raw);
  }
  return headers;
}

/** Whether the caller's IAM policy lets it reach this field: only root fields are checked, as AppSync does; other modes always may. */
export const iamPolicyAllows = (caller: Caller, typeName: string, fieldName: string, isRootField: boolean): boolean =>
  caller.mode !== AuthMode.IAM || !isRootField || caller.mayAccessRootField(typeName, fieldName);
