/**
 * Cognito's lockout after failed sign-ins: after 5 failures a user is locked for 1 s, doubling with each further
 * failure, up to about 15 minutes; a failure older than that is forgotten. Counted in memory only (a restart
 * forgets them, as it ends a lockout). An unknown user's stand-in (preventUserExistenceErrors) is locked out
 * alike, in the same records (recent-failures.ts), so a lockout says nothing of whether a user exists.
 */
import { RecentFailures, failureMemoryMs } from './recent-failures.ts';
import { quotaCategories } from './request-quota.ts';

const freeFailedSignIns = 5;

/**
 * Failed sign-ins a second when each takes two requests (InitiateAuth, then RespondToAuthChallenge, sharing
 * UserAuthentication's 120 a second): 60.
 */
const failuresPerSecondBySrp = quotaCategories.UserAuthentication / 2;

/**
 * The ids whose failed sign-ins are kept at once, for an app client allowing `flows`: what the quota lets fail
 * over the 15 minutes a failure is kept and the bucket's one second, 60 × 901 = 54,060, twice that when the
 * client allows USER_PASSWORD_AUTH (one request a failure rather than SRP's two). A record takes about 160 bytes
 * of heap (its UUID key, { count, lockedUntil, at }, the map's slot): 8.4 MB measured with 54,000 records,
 * 16.6 MB with 108,000.
 */
export const maxFailedSignInIds = (flows: ReadonlySet<string>): number =>
  failuresPerSecondBySrp * (flows.has('USER_PASSWORD_AUTH') ? 2 : 1) * (failureMemoryMs / 1000 + 1);

interface Failures {
  count: number;
  lockedUntil: number;
  at: number;
}

export class SignInLockout {
  readonly #records: RecentFailures<Failures>;

  /** `maxIds`: the bound on the ids whose failures are kept (maxFailedSignInIds). */
  public constructor(
    private readonly now: () => number,
    maxIds: number,
  ) {
    this.#records = new RecentFailures(now, maxIds);
  }

  /**
   * Whether `id` (a user's, or a stand-in's) may try now: 'locked' while locked out, 'full' when a failure could
   * not be counted (the bound reached by live records), else 'open'.
   */
  public check(id: string): 'open' | 'locked' | 'full' {
    const record = this.#records.get(id);
    if (record && record.lockedUntil > this.now()) return 'locked';
    return this.#records.hasRoom(id) ? 'open' : 'full';
  }

  /** Counts a failed sign-in of `id` (after check said 'open'). */
  public failed(id: string): void {
    const count = (this.#records.get(id)?.count ?? 0) + 1;
    const lockedUntil = count < freeFailedSignIns ? 0 : this.now() + Math.min(1000 * 2 ** (count - freeFailedSignIns), failureMemoryMs);
    this.#records.set(id, { count, lockedUntil, at: this.now() });
  }

  /** A user's count ends: a successful sign-in, or the user removed (sign-up-operations.ts's makeRoom). */
  public forget(userId: string): void {
    this.#records.delete(userId);
  }
}
