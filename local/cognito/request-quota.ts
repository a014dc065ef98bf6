/**
 * Cognito's request-rate quotas for the user pool API: each operation belongs to a category whose requests per
 * second are capped for the account and Region (Cognito's "Quotas" page, default quota (RPS)); past it,
 * TooManyRequestsException. Offline one token bucket per category, refilled at the rate and holding one
 * second's worth: this bounds the CPU an unauthenticated caller can spend on SRP (a modular exponentiation per
 * InitiateAuth, two per RespondToAuthChallenge, ~3 ms each) to what Cognito would let it send.
 *
 * One local bound: Cognito gives RespondToAuthChallenge a quota of its own, three times UserAuthentication's
 * (requests past it counted against UserAuthentication); here it takes from the UserAuthentication bucket, since
 * 360 answers a second at ~8 ms of CPU each would take about 3 cores, more than the stack may spend.
 *
 * Which category each served operation takes from: user-pool-api.ts's operationCategory, beside the operations.
 */

/** The categories the served operations fall in, with Cognito's default rates. */
export const quotaCategories = {
  UserAuthentication: 120,
  UserCreation: 50,
  UserAccountRecovery: 30,
  UserRead: 120,
} as const;

export type QuotaCategory = keyof typeof quotaCategories;

/** One bucket per category; `take` says whether a request may go now. */
export class RequestQuota {
  readonly #rates: Readonly<Record<QuotaCategory, number>>;
  readonly #buckets = new Map<QuotaCategory, { tokens: number; at: number }>();

  public constructor(
    rates: Partial<Record<QuotaCategory, number>> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#rates = { ...quotaCategories, ...rates };
  }

  public take(category: QuotaCategory): boolean {
    const rate = this.#rates[category];
    const now = this.now();
    const bucket = this.#buckets.get(category) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.#buckets.set(category, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
