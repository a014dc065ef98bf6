/**
 * Wrong confirmation codes (ConfirmSignUp), counted per user across resent codes, so that sending a new code
 * does not give a guesser 5 more tries: after 5 wrong ones ConfirmSignUp is refused ("Attempt limit exceeded,
 * please try after some time.") until 15 minutes have passed since the last, which ends the count. Cognito
 * documents neither the count nor the time: both are local bounds. An unknown username (preventUserExistenceErrors)
 * is counted alike, for the newest `maxUnknown` names only, since any caller can name any number of them. In
 * memory only: a restart forgets the counts, as it does the sign-in lockout.
 */

const maxWrongCodes = 5;
const limitMs = 15 * 60 * 1000;
/** The unknown names whose wrong codes are kept: at a few dozen bytes each, about a megabyte at most. */
export const defaultMaxUnknownNames = 10_000;

export class CodeAttempts {
  readonly #users = new Map<string, { count: number; at: number }>();
  readonly #unknown = new Map<string, { count: number; at: number }>();

  public constructor(
    private readonly now: () => number,
    private readonly maxUnknown = defaultMaxUnknownNames,
  ) {}

  /** Whether `key` (a userId, or an unknown name when `unknown`) has used its tries for now. */
  public exhausted(key: string, unknown: boolean): boolean {
    const records = unknown ? this.#unknown : this.#users;
    const record = records.get(key);
    if (record && record.at + limitMs <= this.now()) records.delete(key);
    else if (record && record.count >= maxWrongCodes) return true;
    return false;
  }

  /** Counts a wrong code for `key`. */
  public wrong(key: string, unknown: boolean): void {
    const records = unknown ? this.#unknown : this.#users;
    const count = (records.get(key)?.count ?? 0) + 1;
    // Deleted first, so the map's order is the order of the latest wrong code and the oldest goes first.
    records.delete(key);
    records.set(key, { count, at: this.now() });
    if (unknown && records.size > this.maxUnknown) records.delete(records.keys().next().value as string);
  }

  /** A confirmed user's count ends. */
  public confirmed(userId: string): void {
    this.#users.delete(userId);
  }
}
