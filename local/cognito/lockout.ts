/**
 * Cognito's lockout after failed sign-ins: after 5 failures a user is locked for 1 s, doubling with each further
 * failure, up to about 15 minutes; a failure older than that is forgotten. Counted in memory only (a restart
 * forgets them, as it ends a lockout). An unknown user's stand-in (preventUserExistenceErrors) is locked out
 * alike, in the same records (recent-failures.ts), so a lockout says nothing of whether a user exists.
 */
import { userPoolClientTokenValidity } from '../../api/user-pool-settings.ts';
import { RecentFailures, failureMemoryMs } from './recent-failures.ts';
import { quotaCategories } from './request-quota.ts';

const freeFailedSignIns = 5;

/** How long an SRP challenge may wait for its answer: the app client's auth session (api/user-pool-settings.ts). */
const authSessionSeconds = userPoolClientTokenValidity.authSessionMinutes * 60;

/**
 * The ids whose failed sign-ins are kept at once, for an app client allowing `flows`: the most failures the
 * UserAuthentication quota (120 a second, its bucket holding one second's worth) lets land within the 15 minutes
 * a failure is kept. By SRP a failure takes two requests, and its InitiateAuth may come up to the auth session
 * (180 s) before the failed answer: challenges asked for over 3 minutes, then answered within the 15 while more
 * are asked, fit 60 × (900 + 180 + 1) = 64,860 failures in one 15 minutes. By USER_PASSWORD_AUTH (one request a
 * failure, no session between), 120 × 901 = 108,120, when the client allows it. A record takes about 150 bytes
 * of heap (its UUID key, { count, lockedUntil, at }, the map's slot): 9.4 MB measured with 64,860 records,
 * 16.4 MB with 108,120.
 */
export const maxFailedSignInIds = (flows: ReadonlySet<string>): number => {
  const rate = quotaCategories.UserAuthentication;
  const keptSeconds = failureMemoryMs / 1000;
  const bySrp = (rate / 2) * (keptSeconds + authSessionSeconds + 1);
  return flows.has('USER_PASSWORD_AUTH') ? Math.max(bySrp, rate * (keptSeconds + 1)) : bySrp;
};

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
