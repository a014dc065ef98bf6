/**
 * Who signed a request, and what they may do. Every local service that
 * verifies SigV4 asks the directory for the signer's principal, then asks the
 * principal about each action the request needs, as IAM does before an AWS
 * service serves a request:
 *
 * - the account's own key pair (`credentials.json`: the developer, tests, the
 *   CLI) is the account's administrator, allowed everything;
 * - each Lambda function's key pair is its execution role, allowed exactly what
 *   its policy (derived from api/access.ts, as infra/ derives the role) allows;
 * - each AppSync DYNAMODB data source's key pair is its service role, derived
 *   from its resolvers' code (api/data-source-access.ts), as infra/ derives it.
 */
import type { CredentialStore, LocalCredentials } from './credentials.ts';
import type { AuthorizationDecision, AuthorizationRequest, CompiledPolicy } from './policy.ts';

export interface Principal {
  /** The caller's ARN, as AWS names it in AccessDenied messages. */
  readonly arn: string;
  authorize(request: AuthorizationRequest): AuthorizationDecision;
}

export const localAccountId = '000000000000';

export function administrator(): Principal {
  return { arn: `arn:aws:iam::${localAccountId}:root`, authorize: () => ({ allowed: true }) };
}

/** A role's session, as it appears to other services: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
export function assumedRole(roleName: string, sessionName: string, policy: CompiledPolicy): Principal {
  return { arn: `arn:aws:sts::${localAccountId}:assumed-role/${roleName}/${sessionName}`, authorize: (request) => policy.authorize(request) };
}

/** A Lambda function's execution role; Lambda names the session after the function. */
export const functionRole = (roleName: string, functionName: string, policy: CompiledPolicy): Principal => assumedRole(roleName, functionName, policy);

/** The session name AppSync gives the data-source roles it assumes, as DynamoDB's AccessDenied messages show it. */
export const appSyncRoleSessionName = 'APPSYNC_ASSUME_ROLE';

/** An AppSync data source's service role, as AppSync's calls with it appear to other services. */
export const dataSourceRole = (roleName: string, policy: CompiledPolicy): Principal => assumedRole(roleName, appSyncRoleSessionName, policy);

/** The first request `principal` may not make, or undefined when it may make them all. */
export function firstDenied(
  principal: Principal,
  requests: readonly AuthorizationRequest[],
): { readonly request: AuthorizationRequest; readonly decision: AuthorizationDecision & { allowed: false } } | undefined {
  for (const request of requests) {
    const decision = principal.authorize(request);
    if (!decision.allowed) return { request, decision };
  }
  return undefined;
}

/** IAM's wording, which AWS services put in their AccessDenied errors. */
export function accessDeniedMessage(principal: Principal, request: AuthorizationRequest, decision: AuthorizationDecision & { allowed: false }): string {
  const why =
    decision.reason === 'explicit-deny'
      ? `with an explicit deny in an identity-based policy`
      : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`;
}

/** Key pairs and their principals: the credential store for signature checks, and the principal for authorization. */
export interface PrincipalDirectory extends CredentialStore {
  principalOf(accessKeyId: string): Principal | undefined;
}

export function principalDirectory(entries: readonly { readonly credentials: LocalCredentials; readonly principal: Principal }[]): PrincipalDirectory {
  const byAccessKeyId = new Map(entries.map((entry) => [entry.credentials.accessKeyId, entry] as const));
  return {
    lookup: (accessKeyId) => byAccessKeyId.get(accessKeyId)?.credentials,
    principalOf: (accessKeyId) => byAccessKeyId.get(accessKeyId)?.principal,
  };
}

/**
 * The signer's principal: the directory's answer, or, for a plain credential
 * store (a service started alone, as unit tests do), the administrator, since
 * such a store holds only the account's own key pair.
 */
export function principalFor(store: CredentialStore | PrincipalDirectory, accessKeyId: string): Principal | undefined {
  return 'principalOf' in store ? store.principalOf(accessKeyId) : administrator();
}

/** Why a principal was refused, ready for a service's AccessDenied error; undefined when every request is allowed. */
export function deniedMessage(principal: Principal | undefined, requests: readonly AuthorizationRequest[]): string | undefined {
  if (principal === undefined) return requests.length > 0 ? `User is not authorized to perform: ${requests[0].action}` : undefined;
  const denied = firstDenied(principal, requests);
  return denied ? accessDeniedMessage(principal, denied.request, denied.decision) : undefined;
}
