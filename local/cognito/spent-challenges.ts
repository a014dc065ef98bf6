/**
 * The PASSWORD_VERIFIER challenges already answered, so that each is answered once: a captured answer
 * (SECRET_BLOCK, signature, timestamp) replayed within the challenge's 3 minutes is refused, as Cognito refuses
 * a session used twice. Each challenge's id is kept until the challenge expires, when it could not be answered
 * anyway. At most `maxIds` at once: the UserAuthentication quota (120 a second) over the 3-minute auth session
 * allows 21,600; past the bound, after the expired ones are dropped, an answer is refused rather than an id
 * forgotten (which would let its answer be replayed).
 */

/** Above what the quota lets in during one auth session (120 × 180 = 21,600). */
export const defaultMaxSpentChallenges = 30_000;

export class SpentChallenges {
  /** id → unix ms its challenge expires. */
  readonly #ids = new Map<string, number>();

  public constructor(
    private readonly now: () => number,
    private readonly maxIds = defaultMaxSpentChallenges,
  ) {}

  /**
   * Spends the challenge `id` (valid until `expiresAt`): 'spent' when it was new, 'reused' when answered
   * before, 'full' when the bound is reached by challenges not yet expired.
   */
  public spend(id: string, expiresAt: number): 'spent' | 'reused' | 'full' {
    if (this.#ids.has(id)) return 'reused';
    if (this.#ids.size >= this.maxIds) {
      for (const [spent, until] of this.#ids) if (until <= this.now()) this.#ids.delete(spent);
      if (this.#ids.size >= this.maxIds) return 'full';
    }
    this.#ids.set(id, expiresAt);
    return 'spent';
  }
}
