/**
 * The API user pool's sign-in settings, declared once: infra/api-user-pool.ts
 * deploys them (CDK's UserPool and UserPoolClient props) and the local pool
 * (local/cognito/) enforces the same ones, so a password or a flow the
 * deployed pool refuses is refused offline too. Plain data: no CDK import.
 */

/** Cognito's PasswordPolicy as CDK names it (minus tempPasswordValidity, a CDK Duration set in infra). */
export const userPoolPasswordPolicy = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: false,
} as const;

export type UserPoolPasswordPolicy = typeof userPoolPasswordPolicy;

/**
 * The app client's auth flows as CDK names them. Cognito always allows
 * REFRESH_TOKEN_AUTH besides these (CDK adds ALLOW_REFRESH_TOKEN_AUTH).
 */
export const userPoolClientAuthFlows = { userSrp: true } as const;

export interface UserPoolClientAuthFlows {
  readonly userSrp?: boolean;
  readonly userPassword?: boolean;
  readonly custom?: boolean;
  readonly adminUserPassword?: boolean;
}

/** The InitiateAuth AuthFlow values an app client with `flows` accepts: CDK's flags as Cognito's ALLOW_* flows name them. */
export function initiateAuthFlows(flows: UserPoolClientAuthFlows): ReadonlySet<string> {
  const allowed = new Set<string>(['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']);
  if (flows.userSrp) allowed.add('USER_SRP_AUTH');
  if (flows.userPassword) allowed.add('USER_PASSWORD_AUTH');
  if (flows.custom) allowed.add('CUSTOM_AUTH');
  return allowed;
}

/** Users sign in with their email: it is the pool's username attribute (CDK's `signInAliases: { email: true }`), their username a generated UUID. */
export const userPoolSignInAliases = { email: true } as const;
