/**
 * The unauthenticated operations of Cognito's user pool API that aws-amplify v6's sign-up, sign-in and sign-out
 * call, served for the local pool with Cognito's rules for this pool (infra/api-user-pool.ts, its settings in
 * api/user-pool-settings.ts): email is the username attribute (the username is a generated UUID), the
 * password policy, SRP sign-in only (plus refresh), and preventUserExistenceErrors, so an unknown user is
 * answered as a wrong password or a wrong code is. Each operation takes the request's JSON and returns the
 * answer's, or throws a CognitoApiError, which the HTTP layer (./identity-provider.ts) writes as Cognito does.
 * This module puts the API together: the operations by group (sign-up-operations.ts, auth-operations.ts,
 * token-operations.ts) over one context (operation-context.ts).
 *
 * Local bounds that are not Cognito's, each with the same error Cognito uses for its own limits:
 * at most `maxUsers` users (the oldest unconfirmed user makes room; LimitExceededException when all are
 * confirmed), 5 wrong confirmation codes per user across resent codes, then 15 minutes' wait
 * (./code-attempts.ts, an unknown username alike), 5 resent codes per email in 15 minutes (./resend-limit.ts, an
 * unknown email alike), the newest 100 sign-in sessions a user keeps
 * (./sessions.ts). Failed sign-ins lock a user out as Cognito does ("Password attempts exceeded"), counted in
 * memory only (./lockout.ts), an unknown user's stand-in alike. Wrong codes and failed sign-ins are kept for at
 * most what the quotas let in over 15 minutes (./recent-failures.ts), as resends are, and answered past that bound with
 * TooManyRequestsException, as the answered challenges are (./spent-challenges.ts).
 */
import {
  initiateAuthFlows,
  userPoolClientAuthFlows,
  userPoolClientPreventUserExistenceErrors,
  userPoolClientTokenValidity,
  userPoolPasswordPolicy,
  userPoolSignInAliases,
  userPoolSignInCaseSensitive,
  type UserPoolClientAuthFlows,
} from '../../api/user-pool-settings.ts';
import { authOperations } from './auth-operations.ts';
import { ChallengeSeal } from './challenge-seal.ts';
import { codeAttempts } from './code-attempts.ts';
import { CognitoApiError } from './errors.ts';
import { SignInLockout, maxFailedSignInIds } from './lockout.ts';
import type { Operation, OperationContext } from './operation-context.ts';
import type { QuotaCategory } from './request-quota.ts';
import { resendLimit } from './resend-limit.ts';
import { stringField, type Json } from './request-fields.ts';
import { userSessions } from './sessions.ts';
import { signUpOperations } from './sign-up-operations.ts';
import { SpentChallenges } from './spent-challenges.ts';
import { poolNameOf } from './srp.ts';
import { StandIns } from './stand-ins.ts';
import { tokenOperations } from './token-operations.ts';
import type { LocalUserPool } from './user-pool.ts';
import type { UserDirectory } from './users.ts';

export { confirmationCodeValidityMs } from './sign-up-operations.ts';

export interface UserPoolApiOptions {
  readonly pool: LocalUserPool;
  /** The pool's users, read by the caller before it listens (so a damaged file stops a start with nothing open). */
  readonly users: UserDirectory;
  /** Where "sent" confirmation codes are written (the stack's log). */
  readonly log: (line: string) => void;
  /** Test hook: a smaller cap on users. @default 1000 */
  readonly maxUsers?: number;
  /** Test hook: other app client flows (USER_PASSWORD_AUTH). @default api/user-pool-settings.ts's */
  readonly authFlows?: UserPoolClientAuthFlows;
  /** Test hook: the bound on wrong-code, failed-sign-in and resend records each (recent-failures.ts). @default from the quotas (code-attempts.ts, lockout.ts, resend-limit.ts) */
  readonly maxFailureRecords?: number;
  /** Unix ms. @default Date.now */
  readonly now?: () => number;
}

// The pool settings this module serves only one value of: changing the declaration fails the type check here,
// rather than leaving the local pool answering as the deployed one no longer does.
({
  aliases: [Object.keys(userPoolSignInAliases)[0] as keyof typeof userPoolSignInAliases],
  email: userPoolSignInAliases.email,
  caseSensitive: userPoolSignInCaseSensitive,
  preventUserExistenceErrors: userPoolClientPreventUserExistenceErrors,
  sameLifetime: userPoolClientTokenValidity.accessTokenMinutes,
}) satisfies {
  aliases: ['email'];
  email: true;
  caseSensitive: true;
  preventUserExistenceErrors: true;
  sameLifetime: typeof userPoolClientTokenValidity.idTokenMinutes;
};
/** The local pool's cap on users (not Cognito's, which is in the millions): each is a file loaded at start. */
export const defaultMaxUsers = 1000;

/** The names of the operations served: the groups' own keys, so that a list kept per operation (operationCategory) must name each. */
export type OperationName = keyof ReturnType<typeof signUpOperations> | keyof ReturnType<typeof authOperations> | keyof ReturnType<typeof tokenOperations>;

/**
 * The quota category (request-quota.ts) each served operation is charged to, as Cognito's quota page lists them:
 * its type refuses an operation left out. Here, not in request-quota.ts: the operations' state (lockout.ts,
 * code-attempts.ts, spent-challenges.ts) imports that module, so its importing the operations' names would be a cycle.
 */
export const operationCategory: Readonly<Record<OperationName, QuotaCategory>> = {
  SignUp: 'UserCreation',
  ConfirmSignUp: 'UserCreation',
  ResendConfirmationCode: 'UserAccountRecovery',
  InitiateAuth: 'UserAuthentication',
  RespondToAuthChallenge: 'UserAuthentication',
  GetTokensFromRefreshToken: 'UserAuthentication',
  GlobalSignOut: 'UserAuthentication',
  RevokeToken: 'UserAuthentication',
  GetUser: 'UserRead',
};

export interface UserPoolApi {
  /** The pending confirmation code of the user with `email`, for the admin test hook; undefined when none. */
  pendingCode(email: string): { readonly code: string; readonly expiresAt: number } | undefined;
  call(operation: OperationName, body: Json): Json;
  /** Whether the service serves `operation`. */
  serves(operation: string): operation is OperationName;
}

export function userPoolApi(options: UserPoolApiOptions): UserPoolApi {
  const { pool, users, log } = options;
  const now = options.now ?? Date.now;
  const flows = initiateAuthFlows(options.authFlows ?? userPoolClientAuthFlows);
  const context: OperationContext = {
    pool,
    poolName: poolNameOf(pool.userPoolId),
    users,
    now,
    log,
    maxUsers: options.maxUsers ?? defaultMaxUsers,
    policy: userPoolPasswordPolicy,
    flows,
    lockout: new SignInLockout(now, options.maxFailureRecords ?? maxFailedSignInIds(flows)),
    spent: new SpentChallenges(now),
    codeAttempts: codeAttempts(now, options.maxFailureRecords),
    resends: resendLimit(now, options.maxFailureRecords),
    // Seals SECRET_BLOCKs under a key made per start (no challenge outlives the stack); unknown users' stand-ins
    // derive from the pool's kept key, so they are stable across restarts as real users are.
    seal: new ChallengeSeal(),
    standIns: new StandIns(pool.standInKey),
    sessions: userSessions({ pool, users, now }),
    checkClient(body) {
      const clientId = stringField(body, 'ClientId', 'clientId', 128);
      if (clientId !== pool.clientId) throw new CognitoApiError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    },
    userNamed: (name) => users.byEmail(name) ?? users.byId(name),
  };
  const operations: Record<OperationName, Operation> = { ...signUpOperations(context), ...authOperations(context), ...tokenOperations(context) };

  return {
    pendingCode(email) {
      const code = users.byEmail(email)?.code;
      return code ? { code: code.value, expiresAt: code.expiresAt } : undefined;
    },
    serves: (operation): operation is OperationName => Object.hasOwn(operations, operation),
    call(operation, body) {
      // Own keys only: `constructor` or `toString` is no operation.
      const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (!run) throw new CognitoApiError('UnknownOperationException', `The local user pool does not serve ${operation.slice(0, 64)}.`);
      return run(body);
    },
  };
}
