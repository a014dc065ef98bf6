/**
 * Rekognition's per-account TPS quota, per operation, offline: each operation
 * (DetectLabels, DetectModerationLabels) has a token bucket that refills at
 * `tps` tokens a second and holds at most max(1, tps); a call that finds no
 * token is answered ThrottlingException in Rekognition's JSON shape
 * (errors.ts), before any work. Fractions are allowed (0.5 is one call every
 * two seconds), so a quota can be set below what even the local engine serves.
 * Set by LABELCAST_REKOGNITION_TPS (local/config.ts); no quota when unset.
 *
 * @example
 * const quota = new TpsQuota(1);
 * quota.take('DetectLabels'); // true
 * quota.take('DetectLabels'); // false: the next token comes in a second
 */
import { RekognitionError, RekognitionErrorCode, TpsQuotaError } from './errors.ts';

export class TpsQuota {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly capacity: number;
  private throttledCount = 0;

  /** `now` is in milliseconds, monotonic. */
  public constructor(
    public readonly tps: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (typeof tps !== 'number' || !Number.isFinite(tps) || tps <= 0) throw new TpsQuotaError(`the TPS quota must be a positive number, got ${String(tps)}`);
    this.capacity = Math.max(1, tps);
  }

  /** Whether one more call of `operation` fits in the quota now; uses its token when it does. */
  public take(operation: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(operation) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.tps);
    bucket.at = now;
    this.buckets.set(operation, bucket);
    if (bucket.tokens < 1) {
      this.throttledCount += 1;
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  /** Calls refused so far. */
  public get throttled(): number {
    return this.throttledCount;
  }
}

/** What a call over the quota is answered. */
export const overQuotaError = (): RekognitionError => new RekognitionError(RekognitionErrorCode.throttling, 'Rate exceeded');

/**
 * LABELCAST_REKOGNITION_TPS as a quota: undefined when unset or empty;
 * throws a TpsQuotaError naming the variable for anything but a positive number.
 */
export function tpsQuotaFromEnv(value: string | undefined, variable = 'LABELCAST_REKOGNITION_TPS'): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const tps = Number(value.trim());
  if (!Number.isFinite(tps) || tps <= 0) {
    throw new TpsQuotaError(`${variable} must be a positive number of calls per second per operation (fractions allowed, e.g. 0.5), got ${JSON.stringify(value)}`);
  }
  return tps;
}
