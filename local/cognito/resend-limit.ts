/**
 * Resent confirmation codes (ResendConfirmationCode), counted per email: after 5 in 15 minutes a resend is
 * refused ("Attempt limit exceeded, please try after some time.", Cognito's answer to repeated resends) until 15
 * minutes have passed since the last one sent, which ends the count. Each resend replaces the pending code, so
 * without a limit a loop within the quota (30 a second) replaced a victim's code every ~33 ms and they could
 * never confirm; with it, the code the 5th resend sent lives at least 15 minutes, however a flood is timed, and a
 * user who lost an email still has a few resends. Cognito documents neither the count nor the time: local bounds.
 * Every email is counted alike, a real user's or an unknown one's (preventUserExistenceErrors), in the same
 * records (recent-failures.ts), so the limit says nothing of whether a user exists. In memory only, as the
 * sign-in lockout.
 */
import { RecentFailures, failureMemoryMs } from './recent-failures.ts';
import { quotaCategories } from './request-quota.ts';

const maxResends = 5;

/**
 * The emails whose resends are kept at once: what ResendConfirmationCode's quota (UserAccountRecovery, 30 a
 * second, its bucket holding one second's worth) lets in over the 15 minutes a count lives, 30 × 901 = 27,030,
 * each resend at most one new email. A record takes its key (an email, up to 128 characters), { count, at }
 * and the map's slot: 6.1 MB of heap measured with 27,030 records of 128-character keys.
 */
export const defaultMaxResendEmails = quotaCategories.UserAccountRecovery * (failureMemoryMs / 1000 + 1);

export class ResendLimit {
  readonly #records: RecentFailures<{ count: number; at: number }>;

  public constructor(
    private readonly now: () => number,
    maxEmails = defaultMaxResendEmails,
  ) {
    this.#records = new RecentFailures(now, maxEmails);
  }

  /**
   * Counts a resend to `email` when it may go: 'limited' after 5 within the count's life, 'full' when it could
   * not be counted (the bound reached by live records), else 'sent' (counted).
   */
  public take(email: string): 'sent' | 'limited' | 'full' {
    const record = this.#records.get(email);
    if (record && record.count >= maxResends) return 'limited';
    if (!this.#records.hasRoom(email)) return 'full';
    this.#records.set(email, { count: (record?.count ?? 0) + 1, at: this.now() });
    return 'sent';
  }
}
