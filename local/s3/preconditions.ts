/**
 * S3's conditional requests, which s3rver lacks (it knows only If-None-Match
 * on GET): conditional writes (PutObject, CopyObject's destination,
 * CompleteMultipartUpload: `If-None-Match: *` and `If-Match: <etag>`),
 * If-Match on GetObject and HeadObject, and CopyObject's
 * `x-amz-copy-source-if-match` / `-if-none-match`.
 *
 * A failed condition is S3's 412 PreconditionFailed with a `<Condition>`
 * naming the header; `If-None-Match` on a write with anything but `*`, or
 * with `If-Match` beside it, is 501 NotImplemented; `If-Match` on a write to
 * a key without an object is 404 NoSuchKey.
 *
 * The check and the write must be one step, or two writers that both saw
 * "no object" would both store: server.ts holds a per-key lock (KeyLocks)
 * from the check until the backend has answered. S3 answers a write that
 * meets another in flight with 409 ConditionalRequestConflict; here the
 * second simply waits for the first and then sees its object (412), which
 * is what S3 answers once the first has finished.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { s3Error, type S3Error } from './errors.ts';
import { parseCopySource } from './request-target.ts';

/** The object(s) a request reads or writes, as far as conditions go. */
export interface ObjectTarget {
  /** write: PutObject, CompleteMultipartUpload; copy: CopyObject; delete: DeleteObject. */
  readonly operation: 'read' | 'write' | 'copy' | 'delete' | 'other';
  readonly bucket: string;
  readonly key: string;
  /** CopyObject's source. */
  readonly source?: { readonly bucket: string; readonly key: string };
}

/** The current ETag (MD5 hex, unquoted) of an object, or undefined when there is none. */
export type ETagLookup = (bucket: string, key: string) => Promise<string | undefined>;

const single = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** `"abc"`, `abc` and `W/"abc"` name the same ETag; a list is comma-separated. */
const eTagList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .filter((item) => item !== '');

const matches = (condition: string, current: string) => eTagList(condition).some((item) => item === '*' || item === current);

function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}


/**
 * What a path-style request does to which object; undefined for bucket-level
 * requests. `url` is the target without the SigV4 query parameters.
 */
export function objectTargetOf(method: string, url: string, headers: IncomingHttpHeaders): ObjectTarget | undefined {
  const [pathname, query = ''] = url.split('?');
  const slashAt = pathname.indexOf('/', 1);
  if (slashAt < 0 || slashAt === pathname.length - 1) return undefined;
  const bucket = decodedPath(pathname.slice(1, slashAt));
  const key = decodedPath(pathname.slice(slashAt + 1));
  if (!bucket || !key) return undefined;
  // The SDK adds x-id=<Operation>, a presigned URL X-Amz-Content-Sha256; any other parameter names a subresource (tagging, uploads, partNumber…).
  const parameters = new URLSearchParams(query);
  const names = [...parameters.keys()].filter((name) => name !== 'x-id' && !name.toLowerCase().startsWith('x-amz-'));
  const copySource = single(headers, 'x-amz-copy-source');
  if (method === 'PUT' && names.length === 0) {
    if (copySource === undefined) return { operation: 'write', bucket, key };
    const source = parseCopySource(copySource);
    return source ? { operation: 'copy', bucket, key, source: { bucket: source.bucket, key: source.key } } : { operation: 'write', bucket, key };
  }
  if (method === 'POST' && names.length === 1 && names[0] === 'uploadId') return { operation: 'write', bucket, key };
  if (method === 'DELETE' && names.every((name) => name === 'versionId')) return { operation: 'delete', bucket, key };
  if ((method === 'GET' || method === 'HEAD') && names.every((name) => name === 'versionId' || name.startsWith('response-'))) {
    return { operation: 'read', bucket, key };
  }
  return { operation: 'other', bucket, key };
}

/**
 * Whether the request must hold its keys' locks: every change of an object
 * (so no write lands between a condition's check and its write), and a read
 * with If-Match (so the bytes served are those of the ETag checked).
 */
export function needsLock(target: ObjectTarget, headers: IncomingHttpHeaders): boolean {
  if (target.operation === 'read') return single(headers, 'if-match') !== undefined;
  return target.operation !== 'other';
}

const preconditionFailed = (condition: string): S3Error =>
  s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', [['Condition', condition]]);

const notImplemented = (header: string): S3Error =>
  s3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', [['Header', header]]);

async function checkWrite(target: ObjectTarget, headers: IncomingHttpHeaders, eTagOf: ETagLookup): Promise<S3Error | undefined> {
  const ifNoneMatch = single(headers, 'if-none-match');
  const ifMatch = single(headers, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && (ifNoneMatch.trim() !== '*' || ifMatch !== undefined)) return notImplemented('If-None-Match');
  const current = await eTagOf(target.bucket, target.key);
  if (ifNoneMatch !== undefined) return current === undefined ? undefined : preconditionFailed('If-None-Match');
  if (current === undefined) return s3Error('NoSuchKey', 'The specified key does not exist.', [['Key', target.key]]);
  return matches(ifMatch ?? '', current) ? undefined : preconditionFailed('If-Match');
}

async function checkCopySource(target: ObjectTarget, headers: IncomingHttpHeaders, eTagOf: ETagLookup): Promise<S3Error | undefined> {
  const ifMatch = single(headers, 'x-amz-copy-source-if-match');
  const ifNoneMatch = single(headers, 'x-amz-copy-source-if-none-match');
  if (!target.source || (ifMatch === undefined && ifNoneMatch === undefined)) return undefined;
  const current = await eTagOf(target.source.bucket, target.source.key);
  // A missing source is s3rver's NoSuchKey.
  if (current === undefined) return undefined;
  if (ifMatch !== undefined && !matches(ifMatch, current)) return preconditionFailed('x-amz-copy-source-If-Match');
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, current)) return preconditionFailed('x-amz-copy-source-If-None-Match');
  return undefined;
}

/** The error S3 answers when a condition of the request does not hold; undefined when the request may proceed. */
export async function checkPreconditions(target: ObjectTarget, headers: IncomingHttpHeaders, eTagOf: ETagLookup): Promise<S3Error | undefined> {
  switch (target.operation) {
    case 'write':
      return checkWrite(target, headers, eTagOf);
    case 'copy':
      return (await checkCopySource(target, headers, eTagOf)) ?? (await checkWrite(target, headers, eTagOf));
    case 'read': {
      const ifMatch = single(headers, 'if-match');
      if (ifMatch === undefined) return undefined;
      const current = await eTagOf(target.bucket, target.key);
      // A missing object is s3rver's NoSuchKey (404), as S3 answers.
      return current === undefined || matches(ifMatch, current) ? undefined : preconditionFailed('If-Match');
    }
    case 'delete':
    case 'other':
      return undefined;
  }
}

/** One lock per object key: a request runs once every earlier holder of its keys is done. */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` holding the locks of `keys` (taken in sorted order, so two requests never wait on each other). */
  public async with<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of sorted) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      // The last holder leaves no entry behind.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}

/** The lock names of a request's objects. */
export const lockKeysOf = (target: ObjectTarget): string[] => [
  `${target.bucket}/${target.key}`,
  ...(target.source ? [`${target.source.bucket}/${target.source.key}`] : []),
];
