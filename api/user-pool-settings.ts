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

/**
 * Users sign in with their email: it is the pool's username attribute (CDK's `signInAliases: { email: true }`),
 * their username a generated UUID. The local pool serves this shape only (its type is checked there).
 */
export const userPoolSignInAliases = { email: true } as const;

/**
 * The users' standard attributes as CDK names them: the email only, required (sign-up gives it) and mutable.
 * Amplify's outputs list the required ones (api/amplify-outputs.ts).
 */
export const userPoolStandardAttributes = { email: { required: true, mutable: true } } as const;

/**
 * The attributes Cognito verifies by sending a code, as CDK names them: the email (the sign-up code). Amplify's
 * outputs list them as user_verification_types (api/amplify-outputs.ts; it names email as CDK does).
 */
export const userPoolAutoVerify = { email: true } as const;

/**
 * Whether the email users sign in with is matched case-sensitively: what the local pool does (its type is checked
 * there) and CDK's and Cognito's default. infra/api-user-pool.ts does not pass it: CDK then emits no
 * UsernameConfiguration, which Cognito takes as true, and adding one to a deployed pool fails its update.
 */
export const userPoolSignInCaseSensitive = true;

/**
 * The app client's token lifetimes, as CDK names them (minutes and days here; infra makes them Durations):
 * Cognito's defaults, which CDK leaves unset, stated so the local pool issues what the deployed one does.
 * ID and access tokens: 5 minutes to 1 day; refresh tokens 1 hour to 10 years; the auth session 3 to 15 minutes.
 */
export const userPoolClientTokenValidity = {
  idTokenMinutes: 60,
  accessTokenMinutes: 60,
  refreshTokenDays: 30,
  authSessionMinutes: 3,
} as const;

/**
 * An unknown user is answered as a wrong password or a wrong code is (Cognito's PreventUserExistenceErrors
 * ENABLED). The local pool serves this setting only (its type is checked there).
 */
export const userPoolClientPreventUserExistenceErrors = true;
