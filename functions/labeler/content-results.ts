/**
 * Labels once per distinct content of one owner. The owner and the ETag the
 * S3 event carries key a stored detection result (api/table.ts,
 * CONTENT#<owner>#<ETag>), so the lookup needs no read of the object. Never
 * shared across owners: a reused result is labelled in ~0.1 s instead of
 * ~1 s, which would tell anyone whether someone else had uploaded the same
 * bytes. An ETag is not
 * a safe content hash (MD5 for a single PUT, `<hash>-<parts>` for multipart),
 * so a result is reused only when the SHA-256 of the bytes matches the one
 * stored with it.
 * Two identical uploads labelled at the same moment may both detect; the
 * result is the same.
 *
 * The detection is stored as its JSON, Brotli-compressed, in one Binary
 * attribute (as DynamoDB's guide suggests for large values): only this
 * module reads it back, and a result's labels, as DynamoDB Lists and Maps,
 * were the larger part of its item (a photo of 6 labels, 1.1 KB: 2 WCU;
 * compressed, 0.5 KB: 1 WCU). JSON gives back every string and number as it
 * was (a double's shortest round-trip form), so a reused result is the
 * detection itself.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { contentResultKey } from '../../api/table.ts';
import type { TableStore } from '../shared/table-store.ts';
import type { Detection } from './detect.ts';

/** Hex SHA-256 of the uploaded bytes. */
export const contentSha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The SHA-256 of bytes being read, computed at the first call and shared by
 * every later one: the check of a stored result and the storing of a fresh
 * one hash the bytes once, and a caller can start it early (while Rekognition
 * works, label-image.ts) so that no hash is left for after the detection. A
 * failed read rejects each call, never unhandled.
 */
export function sha256Once(bytes: Promise<Uint8Array>): () => Promise<string> {
  let hashed: Promise<string> | undefined;
  return () => {
    if (!hashed) {
      hashed = bytes.then(contentSha256);
      hashed.catch(() => undefined);
    }
    return hashed;
  };
}

/**
 * Starts `sha256` once `ready` resolves, for its hash to be made before anyone awaits it. Nothing is chained on
 * its result: a failed read rejects only sha256Once's own promise, which is handled, and whoever awaits the hash
 * later sees that rejection; a `.then(() => sha256())` would be a second promise, rejected and unhandled.
 */
export function startSha256After(ready: Promise<void>, sha256: () => Promise<string>): void {
  void ready.then(() => void sha256());
}

/** A detection stored for some bytes, with their SHA-256. */
export interface StoredDetection extends Detection {
  readonly sha256: string;
}

/** The attribute holding the compressed detection. */
const detectionAttribute = 'detection';

/**
 * Brotli at quality 5: within ~15% of the smallest output (quality 11) on a result's JSON, at some 1/30 of its CPU
 * (0.3 ms against 10 ms for 30 labels, 9.6 KB of JSON).
 */
const brotliQuality = 5;

/** Far more JSON than any detection a 400 KB item could hold uncompressed: bytes that inflate past it are not ours. */
const maxDetectionJsonBytes = 1024 * 1024;

function encodeDetection({ labels, moderationLabels, properties }: Detection): Uint8Array {
  const json = JSON.stringify({ labels, moderationLabels, ...(properties ? { properties } : {}) });
  return brotliCompressSync(json, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: brotliQuality, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(json) },
  });
}

/**
 * The detection a stored result holds, or undefined when it holds none this module wrote (an item stored in the
 * earlier uncompressed form, or bytes that do not decode): then the bytes are detected again and the result stored
 * anew, which costs one Rekognition call and never a wrong label.
 */
function decodeDetection(stored: unknown): Detection | undefined {
  if (!(stored instanceof Uint8Array)) return undefined;
  try {
    const detection = JSON.parse(brotliDecompressSync(stored, { maxOutputLength: maxDetectionJsonBytes }).toString('utf8')) as Partial<Detection> | null;
    if (!Array.isArray(detection?.labels) || !Array.isArray(detection.moderationLabels)) return undefined;
    const { labels, moderationLabels, properties } = detection;
    return { labels, moderationLabels, ...(properties ? { properties } : {}) };
  } catch {
    return undefined;
  }
}

/** The content result item for these bytes' detection (api/table.ts), as storeDetection writes it. */
export function contentResultItem(owner: string, eTag: string, sha256: string, detection: Detection, now: Date): Record<string, unknown> {
  return { ...contentResultKey(owner, eTag), sha256, [detectionAttribute]: encodeDetection(detection), detectedAt: now.toISOString() };
}

/** The result stored for the owner under an ETag; undefined when there is none, or no ETag to look under. */
export async function storedDetection(store: TableStore, owner: string, eTag: string | undefined): Promise<StoredDetection | undefined> {
  if (!eTag) return undefined;
  const { Item } = await store.documentClient.send(new GetCommand({ TableName: store.tableName, Key: contentResultKey(owner, eTag) }));
  const detection = decodeDetection(Item?.[detectionAttribute]);
  if (!detection || typeof Item?.sha256 !== 'string') return undefined;
  return { sha256: Item.sha256, ...detection };
}

async function storeDetection(store: TableStore, owner: string, eTag: string, sha256: string, detection: Detection, now: Date): Promise<void> {
  await store.documentClient.send(new PutCommand({ TableName: store.tableName, Item: contentResultItem(owner, eTag, sha256, detection, now) }));
}

export interface DetectByContentDeps {
  readonly store: TableStore;
  /** Runs Rekognition; called only for bytes not seen before. */
  readonly detect: () => Promise<Detection>;
  /**
   * Whether properties are wanted: a stored result without them is then not
   * reused, so turning the setting on gives every new upload its properties.
   * @default false
   */
  readonly wantsProperties?: boolean;
}

export interface ContentToLabel {
  /** Whose upload it is: results are stored and reused per owner. */
  readonly owner: string;
  readonly eTag: string | undefined;
  /** The bytes, being read. */
  readonly bytes: Promise<Uint8Array>;
  /** Their SHA-256 (sha256Once over `bytes`): awaited only to check a stored result or to store a fresh one. */
  readonly sha256: () => Promise<string>;
  /** The lookup of a stored result under the ETag, started early. */
  readonly stored: Promise<StoredDetection | undefined>;
}

/**
 * The stored result for these bytes, or a fresh detection. A fresh one comes
 * with `save`, which stores it for next time, for the caller to run beside
 * its other writes.
 */
export async function detectByContent(
  deps: DetectByContentDeps,
  content: ContentToLabel,
): Promise<Detection & { readonly reused: boolean; readonly save?: (now: Date) => Promise<void> }> {
  const stored = await content.stored;
  const usable = stored && (!deps.wantsProperties || stored.properties);
  if (usable && stored.sha256 === (await content.sha256())) {
    return { labels: stored.labels, moderationLabels: stored.moderationLabels, ...(deps.wantsProperties ? { properties: stored.properties } : {}), reused: true };
  }
  const detection = await deps.detect();
  const eTag = content.eTag;
  return {
    ...detection,
    reused: false,
    save: eTag ? async (now) => storeDetection(deps.store, content.owner, eTag, await content.sha256(), detection, now) : undefined,
  };
}
