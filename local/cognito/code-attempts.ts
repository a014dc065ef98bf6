/**
 * Wrong confirmation codes (ConfirmSignUp), counted per user across resent codes, so that sending a new code
 * does not give a guesser 5 more tries: after 5 wrong ones ConfirmSignUp is refused ("Attempt limit exceeded,
 * please try after some time.") until 15 minutes have passed since the last, which ends the count. Cognito
 * documents neither the count nor the time: both are local bounds. An unknown username (preventUserExistenceErrors)
 * is counted alike, under its stand-in's id, in the same records (recent-failures.ts). In memory only: a restart
 * forgets the counts, as it does the sign-in lockout.
 */
import { LimitedCounts, failureMemoryMs } from './recent-failures.ts';
import { quotaCategories } from './request-quota.ts';

const maxWrongCodes = 5;

/**
 * The ids whose wrong codes are kept at once: what ConfirmSignUp's quota (UserCreation, 50 a second, its bucket
 * holding one second's worth) lets in over the 15 minutes a count lives, 50 × 901 = 45,050, each wrong code at
 * most one new id. A record takes about 160 bytes of heap
 * (its UUID key, { count, at }, the map's slot): 7.1 MB measured with 45,000 records.
 */
export const defaultMaxCodeAttemptIds = quotaCategories.UserCreation * (failureMemoryMs / 1000 + 1);

/**
 * Wrong codes per id (a user's, or an unknown name's stand-in's): `check` is 'limited' after 5, `count` counts a
 * wrong one, `forget` ends a user's count (confirmed, or removed by sign-up-operations.ts's makeRoom).
 */
export type CodeAttempts = LimitedCounts;

export const codeAttempts = (now: () => number, maxIds = defaultMaxCodeAttemptIds): CodeAttempts => new LimitedCounts(now, maxWrongCodes, maxIds);
