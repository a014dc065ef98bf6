/**
 * Cognito's lockout after failed sign-ins: after 5 failures a user is locked for 1 s, doubling with each further
 * failure, up to about 15 minutes; a failure older than that is forgotten. Counted in memory only (a restart
 * forgets them, as it ends a lockout). An unknown user's stand-in (preventUserExistenceErrors) is locked out
 * alike, so a lockout says nothing of whether a user exists; its failures are kept for the newest
 * `maxStandIns` stand-ins only, since any caller can name any number of unknown users (the real users' are
 * bounded by the pool's cap on users).
 */
const freeFailedSignIns = 5;
const maxLockoutMs = 15 * 60 * 1000;
/** The stand-ins whose failures are kept: at a few dozen bytes each, about a megabyte at most. */
export const defaultMaxStandIns = 10_000;

interface Failures {
  count: number;
  lockedUntil: number;
  at: number;
}

export class SignInLockout {
  readonly #users = new Map<string, Failures>();
  readonly #standIns = new Map<string, Failures>();

  public constructor(
    private readonly now: () => number,
    private readonly maxStandIns = defaultMaxStandIns,
  ) {}

  /** Whether `userId` (a user's, or a stand-in's when `standIn`) is locked out now. */
  public locked(userId: string, standIn: boolean): boolean {
    const records = standIn ? this.#standIns : this.#users;
    const record = records.get(userId);
    if (record && record.at + maxLockoutMs < this.now()) records.delete(userId);
    else if (record && record.lockedUntil > this.now()) return true;
    return false;
  }

  /** Counts a failed sign-in of `userId`. */
  public failed(userId: string, standIn: boolean): void {
    const records = standIn ? this.#standIns : this.#users;
    const count = (records.get(userId)?.count ?? 0) + 1;
    const lockedUntil = count < freeFailedSignIns ? 0 : this.now() + Math.min(1000 * 2 ** (count - freeFailedSignIns), maxLockoutMs);
    // Deleted first, so the map's order is the order of the latest failure and the oldest goes first.
    records.delete(userId);
    records.set(userId, { count, lockedUntil, at: this.now() });
    if (standIn && records.size > this.maxStandIns) records.delete(records.keys().next().value as string);
  }

  /** A successful sign-in ends the count. */
  public succeeded(userId: string): void {
    this.#users.delete(userId);
  }
}
