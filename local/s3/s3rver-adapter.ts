/**
 * The s3rver instance behind the front: storage and the S3 REST operations.
 * s3rver checks no signatures (the front does) and writes objects without
 * waiting for the bytes to reach the disk, so its store's writes are
 * replaced here with atomic, fsync'ed ones.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { mkdir, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BucketCorsRule } from '../../api/media.ts';
import { clientWentAway } from '../http-boundary.ts';
import { onResponseOver } from '../response-over.ts';
import { escapeXml } from './errors.ts';
import { answerDeleteObjectsAsS3 } from './delete-objects.ts';
import { answerListingsAsS3 } from './list-objects.ts';
import { storeLongKeySegments, type KeyedStore } from './stored-keys.ts';

interface S3rverObject {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer | AsyncIterable<Buffer>;
  readonly metadata: Record<string, string>;
}

interface S3rverStore extends KeyedStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getSubresource(bucket: string, key: string | undefined, resourceType: string): Promise<unknown>;
  putSubresource(bucket: string, key: string | undefined, resource: { readonly type: string }): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, resourceType: string): Promise<void>;
  deleteObject(bucket: string, key: string): Promise<unknown>;
  putObjectMultipart(bucket: string, uploadId: string, parts: unknown): Promise<unknown>;
  putBucket(bucket: string): Promise<unknown>;
  deleteBucket(bucket: string): Promise<unknown>;
  reset(): void;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: unknown): Promise<unknown>;
  getMetadata(bucket: string, key: string): Promise<unknown>;
  /** The object with its bytes as an open file stream (null content: a range past its end), or null when missing. */
  getObject(bucket: string, key: string, options?: unknown): Promise<{ readonly content: Readable | null } | null>;
}

/** What s3rver emits on 'event' (its own record shape, key not encoded). */
export interface S3rverEvent {
  readonly Records: readonly {
    readonly eventName: string;
    readonly s3: { readonly bucket: { readonly name: string }; readonly object: { readonly key: string; readonly size?: number; readonly eTag?: string } };
  }[];
}

interface S3rverApp extends EventEmitter {
  readonly store: S3rverStore;
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  configureBuckets(): Promise<unknown>;
  readonly logger: { close(): void };
}

type S3rverConstructor = new (options: Record<string, unknown>) => S3rverApp;

/**
 * s3rver, required when the first backend is made: loading it (koa, winston, its XML and file-system layers) takes
 * about 0.35 s of CPU, which a start that stops earlier (a damaged state file, a port in use, a refused resolver)
 * does not spend.
 */
let s3rverConstructor: S3rverConstructor | undefined;
const loadS3rver = (): S3rverConstructor => (s3rverConstructor ??= createRequire(import.meta.url)('s3rver') as S3rverConstructor);

export interface BucketConfig {
  readonly name: string;
  /** The CORS rule the bucket starts with (a signed PutBucketCors may change it); none: no CORS configuration. */
  readonly cors?: BucketCorsRule;
}

/** What s3rver makes of a CORS rule (its S3CorsConfiguration). */
interface S3rverCorsRule {
  readonly hasWildcardOrigin: boolean;
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}
interface S3rverCorsConfiguration {
  matchRule(origin: string, method: string): S3rverCorsRule | undefined;
}

export interface S3rverBackend {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly events: EventEmitter;
  /** Bytes of an object, or undefined when missing. */
  readObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** MD5 hex of an object, as its ETag. */
  readObjectMd5(bucket: string, key: string): Promise<string | undefined>;
  /** The ETag (MD5 hex, unquoted) of the object stored under the key now; undefined when there is none. */
  currentETag(bucket: string, key: string): Promise<string | undefined>;
  /**
   * The CORS headers of an answer to a request from `origin` (an error too, as S3 adds them), by the rule of the
   * bucket's configuration in force that allows its origin and method, as s3rver adds them to its own answers.
   */
  corsHeaders(bucket: string, origin: string | undefined, method: string): Promise<Record<string, string>>;
  /** The key the multipart upload was started for; undefined when the bucket holds no such upload. */
  uploadKey(bucket: string, uploadId: string): Promise<string | undefined>;
  /** What the in-memory caches hold now (tests of their bounds). */
  keptCounts(): KeptCounts;
  close(): void;
}

/** The bucket's CORS configuration document, holding the one rule (api/media.ts's uploadBucketCors offline). */
export function corsConfigurationXml(rule: BucketCorsRule): string {
  const elements = (name: string, values: readonly (string | number)[]) => values.map((value) => `<${name}>${escapeXml(String(value))}</${name}>`).join('');
  return (
    '<CORSConfiguration><CORSRule>' +
    elements('AllowedOrigin', rule.allowedOrigins) +
    elements('AllowedMethod', rule.allowedMethods) +
    elements('AllowedHeader', rule.allowedHeaders) +
    elements('ExposeHeader', rule.exposedHeaders) +
    elements('MaxAgeSeconds', [rule.maxAgeSeconds]) +
    '</CORSRule></CORSConfiguration>'
  );
}

/** Keys s3rver cannot store: they would clash with its own files (`.` and `..` segments are stored as any: stored-keys.ts). */
export function isStorableKey(key: string): boolean {
  return !key.includes('._S3rver_');
}

/** S3's bucket naming rules (lower-case letters, digits, dots, hyphens; 3-63 characters). */
export function isBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..');
}

/** What s3rver's vhost middleware does for a Host it does not take for a bucket's (vhostBuckets off): no rewrite. */
function pathStyleOnly(ctx: { headers: Record<string, unknown>; query: Record<string, unknown>; state: Record<string, unknown> }, next: () => Promise<void>) {
  ctx.state.vhost = false;
  // An SDK or CLI request, as s3rver tells one from a browser's (its website middleware answers the latter).
  if ([...Object.keys(ctx.headers), ...Object.keys(ctx.query)].some((name) => name.toLowerCase().startsWith('x-amz-'))) ctx.state.service = 's3';
  return next();
}

interface CompleteMultipartContext {
  readonly origin: string;
  readonly params: { readonly bucket: string; readonly key: string };
  body: unknown;
}
type ObjectController = { completeMultipartUpload: (ctx: CompleteMultipartContext) => Promise<void> } & { [wrapped]?: true };
const wrapped = Symbol('labelcast location');

/**
 * CompleteMultipartUpload's Location as S3 gives it, the key's slashes kept: s3rver gives the URL it was handed,
 * whose key admission encoded whole (request-target.ts: `uploads%2Fx`). s3rver's controllers are one module object
 * for every instance of the process, so it is wrapped once.
 */
function completeMultipartLocationAsS3(): void {
  const controller = createRequire(import.meta.url)('s3rver/lib/controllers/object') as ObjectController;
  if (controller[wrapped]) return;
  const complete = controller.completeMultipartUpload;
  controller.completeMultipartUpload = async (ctx) => {
    await complete(ctx);
    const result = (ctx.body as { CompleteMultipartUploadResult?: { Location?: string } } | undefined)?.CompleteMultipartUploadResult;
    if (result) result.Location = `${ctx.origin}/${encodeURIComponent(ctx.params.bucket)}/${ctx.params.key.split('/').map(encodeURIComponent).join('/')}`;
  };
  controller[wrapped] = true;
}

async function syncPath(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function collect(content: Buffer | AsyncIterable<Buffer>): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Writes to a temporary file, fsyncs it, then renames it into place so readers never see half an object. */
function durableWrites(store: S3rverStore, tempDir: string): void {
  const copyObject = store.copyObject.bind(store);
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const content = await collect(object.content);
    const md5 = createHash('md5').update(content).digest('hex');
    const tempPath = path.join(tempDir, randomUUID());
    const handle = await open(tempPath, 'w', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(tempPath, { force: true });
      throw error;
    }
    await handle.close();
    await rename(tempPath, objectPath);
    await syncPath(path.dirname(objectPath));
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    await copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    const destPath = store.getResourcePath(destBucket, destKey, 'object');
    // s3rver dates an object by its file's mtime, and an in-place copy rewrites only the metadata file; S3 gives every
    // copy a new LastModified (the reconciler ages a re-drive's copy by it). The answer's LastModified is read after.
    const now = new Date();
    await utimes(destPath, now, now);
    await syncPath(destPath);
    return store.getMetadata(destBucket, destKey);
  };
}

/** A write of s3rver's store, as the in-memory caches hear of it. */
interface StoreWrite {
  readonly bucket: string;
  /**
   * The one key it writes; undefined when it may write any of the bucket's (a bucket created or deleted, a multipart
   * upload completed, a bucket's own configuration).
   */
  readonly key?: string;
  /** What it changes: an object (its bytes or metadata), a configuration (CORS, website, tagging), or the bucket itself. */
  readonly changes: 'object' | 'configuration' | 'bucket created' | 'bucket deleted';
}

/** A cache told of every write of s3rver's store, so that it keeps only what the files hold. */
interface StoreWriteListener {
  /** Before the write changes anything. */
  onWriteStart(write: StoreWrite): void;
  /** Once it is over: `done` when it succeeded, with the MD5 a put stored. */
  onWriteEnd(write: StoreWrite, outcome: { readonly done: boolean; readonly md5?: string }): void;
  /** Before the store is emptied. */
  onReset(): void;
}

/**
 * Wraps each write of s3rver's store once (after durableWrites, whose putObject calls the wrapped putMetadata) and
 * tells every listener when it starts and when it ends, so that the caches wrap nothing themselves and see each
 * write the same way.
 */
function notifyWrites(store: S3rverStore, listeners: readonly StoreWriteListener[]): void {
  const around = async <R>(write: StoreWrite, run: () => Promise<R>, md5Of?: (result: R) => string): Promise<R> => {
    for (const listener of listeners) listener.onWriteStart(write);
    let result: R;
    try {
      result = await run();
    } catch (error) {
      for (const listener of listeners) listener.onWriteEnd(write, { done: false });
      throw error;
    }
    const md5 = md5Of?.(result);
    for (const listener of listeners) listener.onWriteEnd(write, { done: true, md5 });
    return result;
  };
  const putObject = store.putObject.bind(store);
  const copyObject = store.copyObject.bind(store);
  const deleteObject = store.deleteObject.bind(store);
  const putObjectMultipart = store.putObjectMultipart.bind(store);
  const putMetadata = store.putMetadata.bind(store);
  const putSubresource = store.putSubresource.bind(store);
  const deleteSubresource = store.deleteSubresource.bind(store);
  const putBucket = store.putBucket.bind(store);
  const deleteBucket = store.deleteBucket.bind(store);
  const reset = store.reset.bind(store);
  store.putObject = (object) =>
    around(
      { bucket: object.bucket, key: object.key, changes: 'object' },
      () => putObject(object),
      (written) => written.md5,
    );
  store.copyObject = (srcBucket, srcKey, destBucket, destKey, replacementMetadata) =>
    around({ bucket: destBucket, key: destKey, changes: 'object' }, () => copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata));
  store.deleteObject = (bucket, key) => around({ bucket, key, changes: 'object' }, () => deleteObject(bucket, key));
  // The key of a multipart upload is in its own records, not in the arguments: it may be any of the bucket's.
  store.putObjectMultipart = (bucket, uploadId, parts) =>
    around({ bucket, changes: 'object' }, () => putObjectMultipart(bucket, uploadId, parts));
  store.putMetadata = (bucket, key, metadata, md5) => around({ bucket, key, changes: 'object' }, () => putMetadata(bucket, key, metadata, md5));
  store.putSubresource = (bucket, key, resource) =>
    around({ bucket, key, changes: 'configuration' }, () => putSubresource(bucket, key, resource));
  store.deleteSubresource = (bucket, key, resourceType) =>
    around({ bucket, key, changes: 'configuration' }, () => deleteSubresource(bucket, key, resourceType));
  store.putBucket = (bucket) => around({ bucket, changes: 'bucket created' }, () => putBucket(bucket));
  store.deleteBucket = (bucket) => around({ bucket, changes: 'bucket deleted' }, () => deleteBucket(bucket));
  store.reset = () => {
    for (const listener of listeners) listener.onReset();
    reset();
  };
}

/** The file streams s3rver opened for one request, destroyed once its response is over. */
class ResponseStreams {
  readonly #open = new Set<Readable>();
  #over = false;

  /** Keeps `stream` until the response is over; destroys it at once when the response is over already. */
  public add(stream: Readable): void {
    if (this.#over) {
      stream.destroy();
      return;
    }
    this.#open.add(stream);
    stream.once('close', () => this.#open.delete(stream));
  }

  public destroyAll(): void {
    this.#over = true;
    for (const stream of this.#open) stream.destroy();
    this.#open.clear();
  }
}

/**
 * Every file stream s3rver's GetObject opens is destroyed once the response it was opened for is over, sent or
 * not. s3rver hands the stream to Koa as the body, and Koa destroys a body only when `on-finished` says the
 * response finished or its socket closed: a pipelined GET queued behind others never gets a socket, so when its
 * client left its stream stayed open, one file descriptor each for good (the attacker review's 300 pipelined
 * GETs on one socket: +227 fds; enough sockets reached the process's limit, and every request failed EMFILE
 * after). s3rver also opens the stream before it answers 304 Not Modified (`If-None-Match`, `If-Modified-Since`,
 * which a browser sends to revalidate a cached image) and never reads or closes it: a file descriptor a
 * request, however the client behaves. A range read's stream is the same stream; HeadObject's s3rver destroys
 * itself, and a multipart object is one file once completed.
 *
 * Returns how to run a request in its own scope: `handle` wraps s3rver's callback with it.
 */
function closeStreamsWithResponses(store: S3rverStore) {
  const scope = new AsyncLocalStorage<ResponseStreams>();
  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, options) => {
    const object = await getObject(bucket, key, options);
    // Outside a request (none reads objects this way) it is s3rver's to close, as before.
    if (object?.content) scope.getStore()?.add(object.content);
    return object;
  };
  const serve =
    (handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const streams = new ResponseStreams();
      onResponseOver(res, () => streams.destroyAll());
      return scope.run(streams, () => handle(req, res));
    };
  return serve;
}

/**
 * s3rver reads and parses a bucket's configuration file from disk for every
 * request (its cors middleware reads the CORS rules, the website middleware
 * the website settings): a file read and an XML parse, about 1 ms of the
 * stack's CPU per S3 request, the labeler's GetObject of each upload (the
 * pipeline's critical path) included. A bucket's configurations are kept in
 * memory instead, per bucket and type, and forgotten whenever s3rver writes or
 * deletes one or the bucket itself (PutBucketCors, DeleteBucketCors, a bucket
 * created or deleted), when the write starts and again when it ends, so every
 * answer is what the file then holds. A read that overlapped such a change is
 * not kept. Objects' own subresources (tagging) are read as before.
 *
 * Only the configurations of buckets the stack has (those it was started with
 * and those a signed CreateBucket made since) are kept: a CORS preflight
 * needs no credentials and may name any bucket, and keeping its answer for
 * every name asked would let anyone grow the process without limit. Any other
 * bucket's configuration is read from disk each time, as before.
 *
 * Returns the listener to tell of the store's writes (notifyWrites) and how many configurations are kept (for tests
 * of that bound).
 */
function cachedBucketConfigurations(store: S3rverStore, stackBuckets: readonly string[]): { listener: StoreWriteListener; count: () => number } {
  const read = store.getSubresource.bind(store);
  /** The buckets whose configurations may be kept: a set only the stack's start and signed bucket writes grow. */
  const keepable = new Set(stackBuckets);
  /** By bucket, then by type (`cors`, `website`); null: the bucket has none of that type. */
  const kept = new Map<string, Map<string, unknown>>();
  let changes = 0;
  const forget = (bucket?: string) => {
    changes += 1;
    if (bucket === undefined) kept.clear();
    else kept.delete(bucket);
  };
  store.getSubresource = async (bucket, key, resourceType) => {
    if (key !== undefined || !keepable.has(bucket)) return read(bucket, key, resourceType);
    const bucketConfigs = kept.get(bucket);
    if (bucketConfigs?.has(resourceType)) return bucketConfigs.get(resourceType);
    const before = changes;
    const config = await read(bucket, key, resourceType);
    if (changes === before) kept.set(bucket, (kept.get(bucket) ?? new Map<string, unknown>()).set(resourceType, config));
    return config;
  };
  // Objects' writes leave the bucket's configurations as they are.
  const listener: StoreWriteListener = {
    onWriteStart: (write) => {
      if (write.changes !== 'object') forget(write.bucket);
    },
    onWriteEnd: (write, { done }) => {
      if (write.changes === 'object') return;
      // Again once it is done: a read that started while it ran kept nothing (`changes` moved), nor does one now.
      forget(write.bucket);
      if (done && write.changes === 'bucket created') keepable.add(write.bucket);
      if (done && write.changes === 'bucket deleted') keepable.delete(write.bucket);
    },
    onReset: () => forget(),
  };
  return {
    listener,
    count: () => {
      let count = 0;
      for (const bucketConfigs of kept.values()) count += bucketConfigs.size;
      return count;
    },
  };
}

/**
 * The most bytes of keys whose current ETag is kept: a bound on memory, not a working set (a labelled image reads
 * two or three keys). An entry is counted as its `bucket/key` name in UTF-16 (keys go up to 1 KiB of UTF-8, so up to
 * 2 KiB here) plus its ETag and the Map's own share, `keptETagOverheadBytes`: about 1,900 entries of S3's longest keys,
 * over 10,000 of the labeler's (names of about 100 characters).
 */
export const maxKeptETagBytes = 4 * 1024 * 1024;
/** An entry's cost besides its name: the 32-character MD5 hex string and the Map's slot, rounded up. */
const keptETagOverheadBytes = 160;

/** What the kept ETags and bucket configurations hold now, for tests of their bounds. */
export interface KeptCounts {
  readonly bucketConfigurations: number;
  readonly eTags: number;
  readonly eTagBytes: number;
}

/**
 * The current ETag of each key written or read lately, kept in memory (the
 * least recently written or read dropped first, past `maxKeptETagBytes`): a
 * GetObject with If-Match (every read the labeler makes of an upload) asks
 * for it twice before s3rver reads the object itself, once for the
 * missing-key answer (authorize-request.ts) and once for the precondition
 * (preconditions.ts), each a stat and a file read in the thread pool.
 *
 * Every write of s3rver's store (an object put, copied, deleted or completed
 * from parts, its metadata, a bucket created or deleted) forgets the keys it
 * may change when it starts and again when it ends; a read that overlapped any
 * write is not kept, and a put keeps the MD5 it wrote only when no other write
 * of that key or bucket is under way. So a kept ETag is what the files hold:
 * the store is only ever written through s3rver.
 *
 * Returns the listener to tell of the store's writes (notifyWrites) with the lookup and the counts.
 */
function keptETags(read: (bucket: string, key: string) => Promise<string | undefined>) {
  /** In use order, the least recently used first (a Map iterates in insertion order; a hit moves its key last). */
  const kept = new Map<string, string | undefined>();
  let keptBytes = 0;
  const costOf = (name: string) => name.length * 2 + keptETagOverheadBytes;
  /** Writes under way, by key and (`bucket/`) by bucket. */
  const writing = new Map<string, number>();
  let writes = 0;
  const bucketOf = (bucket: string) => `${bucket}/`;
  const keyOf = (bucket: string, key: string) => `${bucket}/${key}`;
  const drop = (name: string) => {
    if (kept.delete(name)) keptBytes -= costOf(name);
  };
  const forget = (bucket: string, key?: string) => {
    writes += 1;
    if (key !== undefined) drop(keyOf(bucket, key));
    else for (const name of kept.keys()) if (name.startsWith(bucketOf(bucket))) drop(name);
  };
  const count = (name: string, by: number) => {
    const now = (writing.get(name) ?? 0) + by;
    if (now === 0) writing.delete(name);
    else writing.set(name, now);
  };
  const keep = (bucket: string, key: string, eTag: string | undefined) => {
    const name = keyOf(bucket, key);
    drop(name);
    kept.set(name, eTag);
    keptBytes += costOf(name);
    // The least recently used first.
    for (const oldest of kept.keys()) {
      if (keptBytes <= maxKeptETagBytes) break;
      drop(oldest);
    }
  };
  // A write of no one key (a bucket created or deleted, a multipart upload completed) counts and forgets the bucket.
  const nameOf = ({ bucket, key }: StoreWrite) => (key === undefined ? bucketOf(bucket) : keyOf(bucket, key));
  const listener: StoreWriteListener = {
    // Configurations (CORS, website, tagging) are no ETag: their writes leave the kept ones as they are.
    onWriteStart: (write) => {
      if (write.changes === 'configuration') return;
      count(nameOf(write), 1);
      forget(write.bucket, write.key);
    },
    onWriteEnd: (write, { md5 }) => {
      if (write.changes === 'configuration') return;
      count(nameOf(write), -1);
      forget(write.bucket, write.key);
      // Only a put reports an MD5. The labeler's GetObject of an upload follows its put at once: it finds the ETag kept.
      const { bucket, key } = write;
      if (md5 !== undefined && key !== undefined && !writing.has(keyOf(bucket, key)) && !writing.has(bucketOf(bucket))) keep(bucket, key, md5);
    },
    onReset: () => {
      writes += 1;
      kept.clear();
      keptBytes = 0;
    },
  };
  const currentETag = async (bucket: string, key: string): Promise<string | undefined> => {
    const name = keyOf(bucket, key);
    if (kept.has(name)) {
      const eTag = kept.get(name);
      // Last in use order now.
      kept.delete(name);
      kept.set(name, eTag);
      return eTag;
    }
    const before = writes;
    const eTag = await read(bucket, key);
    if (writes === before) keep(bucket, key, eTag);
    return eTag;
  };
  return { listener, currentETag, counts: () => ({ eTags: kept.size, eTagBytes: keptBytes }) };
}

export async function createS3rverBackend(dataDir: string, buckets: readonly BucketConfig[]): Promise<S3rverBackend> {
  const bucketsDir = path.join(dataDir, 'buckets');
  const tempDir = path.join(dataDir, 'tmp');
  await mkdir(bucketsDir, { recursive: true });
  // Leftovers of writes interrupted by a crash.
  await rm(tempDir, { recursive: true, force: true });
  await mkdir(tempDir, { recursive: true });

  const S3rver = loadS3rver();
  const app = new S3rver({
    directory: bucketsDir,
    silent: true,
    vhostBuckets: false,
    configureBuckets: buckets.map((bucket) => ({
      name: bucket.name,
      configs: bucket.cors ? [corsConfigurationXml(bucket.cors)] : [],
    })),
  });
  // First: every other wrapper reaches the files through the paths it gives.
  storeLongKeySegments(app.store);
  answerListingsAsS3();
  answerDeleteObjectsAsS3();
  completeMultipartLocationAsS3();
  durableWrites(app.store, tempDir);
  const configurations = cachedBucketConfigurations(
    app.store,
    buckets.map((bucket) => bucket.name),
  );
  const objectPath = (bucket: string, key: string) => app.store.getResourcePath(bucket, key, 'object');
  const readIfPresent = async (file: string): Promise<Buffer | undefined> => {
    try {
      return await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
  };
  const exists = (file: string) =>
    stat(file).then(
      (stats) => stats.isFile(),
      () => false,
    );
  const readETag = async (bucket: string, key: string): Promise<string | undefined> => {
    if (!(await exists(objectPath(bucket, key)))) return undefined;
    // Every write holds the key's lock (server.ts) until its MD5 is stored too, so under the lock the two agree.
    const md5 = await readIfPresent(`${objectPath(bucket, key)}.md5`);
    if (md5) return md5.toString('utf8');
    const content = await readIfPresent(objectPath(bucket, key));
    return content ? createHash('md5').update(content).digest('hex') : undefined;
  };
  const eTags = keptETags(readETag);
  notifyWrites(app.store, [configurations.listener, eTags.listener]);
  const closeStreams = closeStreamsWithResponses(app.store);
  // s3rver's first middleware is koa-logger, which formats a line for every request and response even when silent
  // (several ms of the stack's CPU per labelled image): out of the chain, as silent asks.
  const middleware = (app as unknown as { middleware: { name: string }[] }).middleware;
  const logger = middleware.findIndex((handler) => handler.name === 'logger');
  if (logger >= 0) middleware.splice(logger, 1);
  // s3rver's vhost middleware rewrites the path to `/<bucket>/…` for a Host of `<bucket>.s3[-…].amazonaws.com`, even
  // with vhostBuckets off: a signed PUT of one bucket's key, IAM checking that key, landed in the bucket the Host
  // named. The local S3 is path-style only, so the Host never steers storage; what the middleware tells the rest of
  // s3rver (an SDK request, not a website one) is kept.
  const vhost = middleware.findIndex((handler) => handler.name === 'vhost');
  if (vhost < 0) throw new Error("s3rver's vhost middleware was not found: the Host header could steer storage");
  middleware.splice(vhost, 1, pathStyleOnly as unknown as { name: string });
  // Koa logs every error to stderr unless the app has its own listener; S3 errors are answers, not faults, and
  // neither is a client that went away while its answer was being sent (Koa reports its socket's ECONNRESET).
  app.on('error', (error: { status?: number }, context?: { readonly res?: ServerResponse }) => {
    if (context?.res && clientWentAway(context.res, error)) return;
    if ((error.status ?? 500) >= 500) console.error('[local-s3] internal error', error);
  });
  await app.configureBuckets();

  return {
    handle: closeStreams(app.callback()),
    events: app,
    readObject: (bucket, key) =>
      isBucketName(bucket) && isStorableKey(key) ? readIfPresent(objectPath(bucket, key)) : Promise.resolve(undefined),
    readObjectMd5: async (bucket, key) => (await readIfPresent(`${objectPath(bucket, key)}.md5`))?.toString('utf8'),
    currentETag: async (bucket, key) => (isBucketName(bucket) && isStorableKey(key) ? eTags.currentETag(bucket, key) : undefined),
    corsHeaders: async (bucket, origin, method) => {
      if (!origin || !isBucketName(bucket)) return {};
      const configuration = (await app.store.getSubresource(bucket, undefined, 'cors')) as S3rverCorsConfiguration | null;
      const rule = configuration?.matchRule(origin, method);
      if (!rule) return {};
      return {
        'access-control-allow-origin': rule.hasWildcardOrigin ? '*' : origin,
        ...(rule.exposeHeaders.length > 0 ? { 'access-control-expose-headers': rule.exposeHeaders.join(', ') } : {}),
        ...(rule.maxAgeSeconds === undefined ? {} : { 'access-control-max-age': String(rule.maxAgeSeconds) }),
        vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
      };
    },
    uploadKey: async (bucket, uploadId) =>
      isBucketName(bucket) && /^[0-9a-f]{32}$/.test(uploadId)
        ? (await readIfPresent(path.join(app.store.getResourcePath(bucket, undefined, 'uploads'), uploadId, 'key')))?.toString('utf8')
        : undefined,
    keptCounts: () => ({ bucketConfigurations: configurations.count(), ...eTags.counts() }),
    close: () => app.logger.close(),
  };
}
