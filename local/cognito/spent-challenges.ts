/**
 * The PASSWORD_VERIFIER challenges already answered, so that each is answered once: a captured answer
 * (SECRET_BLOCK, signature, timestamp) replayed within the challenge's 3 minutes is refused, as Cognito refuses
 * a session used twice. Each challenge's id is kept until the challenge expires, when it could not be answered
 * anyway. At most `maxIds` at once (bound below); past it, after the expired ones are dropped, an answer is
 * refused rather than an id forgotten (which would let its answer be replayed).
 */
import { userPoolClientTokenValidity } from '../../api/user-pool-settings.ts';
import { quotaCategories } from './request-quota.ts';

/**
 * What the quota lets be spent within one auth session: a kept id's InitiateAuth and its answer both came within
 * the challenge's lifetime (3 minutes), each from UserAuthentication's bucket (120 a second, holding one second's
 * worth), so at most 120 × (180 + 1) / 2 = 10,860 ids are live at once. A kept id takes ~100 bytes: 1.1 MB measured with 10,860.
 */
export const defaultMaxSpentChallenges = (quotaCategories.UserAuthentication * (userPoolClientTokenValidity.authSessionMinutes * 60 + 1)) / 2;

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
