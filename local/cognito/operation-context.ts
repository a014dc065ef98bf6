/**
 * What the user pool API's operations (sign-up-operations.ts, auth-operations.ts, token-operations.ts) share,
 * made once per service by user-pool-api.ts: the pool and its users, the clock, the pool's settings, and the state kept
 * in memory between requests.
 */
import type { UserPoolPasswordPolicy } from '../../api/user-pool-settings.ts';
import type { ChallengeSeal } from './challenge-seal.ts';
import type { CodeAttempts } from './code-attempts.ts';
import type { SignInLockout } from './lockout.ts';
import type { Json } from './request-fields.ts';
import type { ResendLimit } from './resend-limit.ts';
import type { UserSessions } from './sessions.ts';
import type { SpentChallenges } from './spent-challenges.ts';
import type { StandIns } from './stand-ins.ts';
import type { LocalUserPool } from './user-pool.ts';
import type { PoolUser, UserDirectory } from './users.ts';

/** One operation: the request's JSON in, the answer's out, or a CognitoApiError thrown. */
export type Operation = (body: Json) => Json;

export interface OperationContext {
  readonly pool: LocalUserPool;
  /** The part of the pool id after `<region>_`, as SRP hashes it. */
  readonly poolName: string;
  readonly users: UserDirectory;
  readonly now: () => number;
  /** Where "sent" confirmation codes are written (the stack's log). */
  readonly log: (line: string) => void;
  readonly maxUsers: number;
  readonly policy: UserPoolPasswordPolicy;
  /** The InitiateAuth flows the app client allows. */
  readonly flows: ReadonlySet<string>;
  readonly lockout: SignInLockout;
  readonly spent: SpentChallenges;
  readonly codeAttempts: CodeAttempts;
  readonly resends: ResendLimit;
  readonly seal: ChallengeSeal;
  readonly standIns: StandIns;
  readonly sessions: UserSessions;
  /** Refuses a request for another app client (ResourceNotFoundException). */
  checkClient(body: Json): void;
  /** A user by the name a client sends: the email (the username attribute) or the generated username. */
  userNamed(name: string): PoolUser | undefined;
}
