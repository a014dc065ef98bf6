/**
 * The engine worker's analysis cache: an analysis is a pure function of the
 * decoded pixels and the tasks asked (the models and their calibration are
 * loaded once per worker and keep no state between images; one wasm thread),
 * so the same pixels asked for the same tasks get the analysis they got
 * before instead of another model pass. Files that differ only in bytes the
 * decoder ignores (a comment segment, other metadata) share it; Rekognition
 * answers the same pixels the same way, so only the latency shows.
 *
 * Entries are kept serialized (v8.serialize): the bound counts real bytes,
 * and every hit deserializes a copy of its own, so no caller can change what
 * another one gets. Least recently used entries go first once the bound is
 * reached; an analysis larger than the whole bound is not kept. Only
 * analyses are stored: a failure is never remembered, the next call runs
 * (and fails, or not) again.
 */
import { deserialize, serialize } from 'node:v8';
import type { AnalysisTasks } from './messages.ts';

/** A few MiB: an analysis serializes to 1-10 KB (detections, face attributes), so this keeps several hundred. */
export const defaultAnalysisCacheBytes = 4 * 1024 * 1024;

/**
 * Images up to this many pixels are looked up. The key decodes the whole image at full size (DecodedImage.pixelDigest),
 * 3-4 bytes a pixel for a moment, where the model inputs shrink on load: larger images (none in the tests; a camera's
 * full-size photo) are analysed each time rather than pay that.
 */
export const cachedMaxPixels = 4_000_000;

export class AnalysisCache<Value> {
  /** In recency order, least recent first (Map keeps insertion order; a hit re-inserts). */
  private readonly entries = new Map<string, Buffer>();
  private usedBytes = 0;

  /** @param maxBytes serialized bytes (keys included) the cache may hold; 0 keeps nothing. */
  public constructor(private readonly maxBytes: number) {}

  /** A fresh copy of the value stored under `key`, which becomes the most recently used. */
  public get(key: string): Value | undefined {
    const stored = this.entries.get(key);
    if (!stored) return undefined;
    this.entries.delete(key);
    this.entries.set(key, stored);
    return deserialize(stored) as Value;
  }

  public set(key: string, value: Value): void {
    const stored = serialize(value);
    const size = entryBytes(key, stored);
    this.delete(key);
    if (size > this.maxBytes) return;
    while (this.usedBytes + size > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(key, stored);
    this.usedBytes += size;
  }

  public get bytes(): number {
    return this.usedBytes;
  }

  public get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const stored = this.entries.get(key);
    if (!stored) return;
    this.entries.delete(key);
    this.usedBytes -= entryBytes(key, stored);
  }
}

const entryBytes = (key: string, stored: Buffer) => Buffer.byteLength(key) + stored.byteLength;

/**
 * The cache key of an analysis: the pixels' digest (DecodedImage.pixelDigest) and every task field that is set,
 * in a fixed order, so a task added to AnalysisTasks later changes the key without anyone remembering to.
 */
export function analysisKey(pixelDigest: string, tasks: AnalysisTasks): string {
  const asked = Object.entries(tasks)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${pixelDigest} ${asked.join(' ')}`;
}

/**
 * The value stored under `key`, or `run()`'s, stored once it resolved. Without a key (the pixels could not be
 * digested) it just runs. A rejection is passed on and nothing is stored.
 */
export async function throughCache<Value>(cache: AnalysisCache<Value>, key: string | undefined, run: () => Promise<Value>): Promise<{ readonly value: Value; readonly cached: boolean }> {
  const kept = key === undefined ? undefined : cache.get(key);
  if (kept !== undefined) return { value: kept, cached: true };
  const value = await run();
  if (key !== undefined) cache.set(key, value);
  return { value, cached: false };
}
