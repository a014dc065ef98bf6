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
import { LimitedCounts, failureMemoryMs } from './recent-failures.ts';
import { quotaCategories } from './request-quota.ts';

const maxResends = 5;

/**
 * The emails whose resends are kept at once: what ResendConfirmationCode's quota (UserAccountRecovery, 30 a
 * second, its bucket holding one second's worth) lets in over the 15 minutes a count lives, 30 × 901 = 27,030,
 * each resend at most one new email. A record takes its key (an email, up to 128 characters), { count, at }
 * and the map's slot: 6.1 MB of heap measured with 27,030 records of 128-character keys.
 */
export const defaultMaxResendEmails = quotaCategories.UserAccountRecovery * (failureMemoryMs / 1000 + 1);

/** Resends per email: `check` is 'limited' after 5, `count` counts one sent. */
export type ResendLimit = LimitedCounts;

export const resendLimit = (now: () => number, maxEmails = defaultMaxResendEmails): ResendLimit => new LimitedCounts(now, maxResends, maxEmails);
