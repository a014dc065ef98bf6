/**
 * Recent failures (wrong confirmation codes, failed sign-ins) per id, a real user's or an unknown name's
 * stand-in's alike, each record kept until 15 minutes after its last failure. One map for both and one bound,
 * so that how the records are kept says nothing of whether a user exists: a record is dropped only once
 * expired, never while live (which would let a flood of other names end a target's limit, for an unknown name
 * only, had the stand-ins been kept apart and bounded, as they were), and past the bound a failure that would
 * need a new record is refused for every name (TooManyRequestsException, as spent-challenges.ts refuses). The
 * bound is set from the request quota (request-quota.ts) and the 15 minutes, so a caller within the quota
 * cannot reach it; expired records are swept as new ones come, so the records of users who are gone (removed
 * to make room, sign-up-operations.ts) go too.
 */
import { CognitoInvariantError } from './errors.ts';

/** How long a record lives after its last failure. */
export const failureMemoryMs = 15 * 60 * 1000;

export class RecentFailures<Record extends { readonly at: number }> {
  /** id → its record, in the order of their last failures (each re-set moves to the end), so the oldest come first. */
  readonly #records = new Map<string, Record>();

  public constructor(
    private readonly now: () => number,
    /** At most this many records at once (live ones; expired ones are swept first). */
    private readonly max: number,
  ) {}

  /** The live record of `id`, if any (an expired one is dropped). */
  public get(id: string): Record | undefined {
    const record = this.#records.get(id);
    if (record && record.at + failureMemoryMs <= this.now()) {
      this.#records.delete(id);
      return undefined;
    }
    return record;
  }

  /** Whether a failure of `id` can be kept now: it has a live record, or there is room for one after the expired are swept. */
  public hasRoom(id: string): boolean {
    if (this.get(id)) return true;
    this.#sweep();
    return this.#records.size < this.max;
  }

  /** Keeps `record` for `id`; the caller asked hasRoom first. */
  public set(id: string, record: Record): void {
    this.#records.delete(id);
    this.#sweep();
    if (this.#records.size >= this.max) throw new CognitoInvariantError('RecentFailures.set past its bound: hasRoom was not asked');
    this.#records.set(id, record);
  }

  public delete(id: string): void {
    this.#records.delete(id);
  }

  public get size(): number {
    return this.#records.size;
  }

  /** Drops the expired records, oldest first, stopping at the first live one: O(the expired). */
  #sweep(): void {
    for (const [id, record] of this.#records) {
      if (record.at + failureMemoryMs > this.now()) return;
      this.#records.delete(id);
    }
  }
}

/**
 * A count per key that is limited once it reaches `limit` within a record's life (15 minutes after the last
 * counted), kept in RecentFailures and so bounded alike: what code-attempts.ts and resend-limit.ts count.
 */
export class LimitedCounts {
  readonly #records: RecentFailures<{ count: number; at: number }>;

  public constructor(
    private readonly now: () => number,
    private readonly limit: number,
    maxKeys: number,
  ) {
    this.#records = new RecentFailures(now, maxKeys);
  }

  /** 'limited' once `limit` are counted, 'full' when one more could not be counted (the bound reached by live records), else 'open'. */
  public check(key: string): 'open' | 'limited' | 'full' {
    const record = this.#records.get(key);
    if (record && record.count >= this.limit) return 'limited';
    return this.#records.hasRoom(key) ? 'open' : 'full';
  }

  /** Counts one for `key` (after check said 'open'). */
  public count(key: string): void {
    this.#records.set(key, { count: (this.#records.get(key)?.count ?? 0) + 1, at: this.now() });
  }

  /** `key`'s count ends. */
  public forget(key: string): void {
    this.#records.delete(key);
  }
}
