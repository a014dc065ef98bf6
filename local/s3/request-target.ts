/**
 * The bucket and key a path-style S3 request names, read once from its target, the way SigV4 reads it
 * (`originFormOf`: an absolute-form target's path, no fragment, nothing normalized), so that the signature, IAM,
 * the preconditions and storage all see the same path.
 *
 * Admission hands on the target rewritten in one canonical form, `/bucket/key?query` with the bucket and key each
 * percent-encoded whole (a key's slashes too): every later reader decodes the same bucket and key from it, and
 * s3rver's router takes the key as one segment, where it refuses an empty one (`a//b`, `/a`: a 404 that is no S3
 * error) and would read `a/` as `a` but for its own trailing-slash rule.
 */
import { originFormOf } from '../iam/sigv4-parse.ts';

export interface S3Target {
  /** Decoded; undefined for a request to the service (`/`). */
  readonly bucket?: string;
  /** Decoded; undefined for a request to a bucket (`/bucket`, `/bucket/`). */
  readonly key?: string;
  /** The raw query string, without its `?`. */
  readonly query: string;
  /** The canonical target: `/`, `/bucket` or `/bucket/key`, each part percent-encoded whole, then `?query` if any. */
  readonly url: string;
}

const decoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

/** The request's bucket and key; undefined when its target is not a path or a part of it is no percent-encoded UTF-8. */
export function parseS3Target(url: string): S3Target | undefined {
  const target = originFormOf(url);
  if (target === undefined) return undefined;
  const queryAt = target.indexOf('?');
  const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = queryAt < 0 ? '' : target.slice(queryAt + 1);
  const slashAt = pathname.indexOf('/', 1);
  const bucketPart = slashAt < 0 ? pathname.slice(1) : pathname.slice(1, slashAt);
  const keyPart = slashAt < 0 ? '' : pathname.slice(slashAt + 1);
  const bucket = decoded(bucketPart);
  const key = decoded(keyPart);
  if (bucket === undefined || key === undefined) return undefined;
  const search = query === '' ? '' : `?${query}`;
  if (bucket === '') return keyPart === '' ? { query, url: `/${search}` } : undefined;
  if (key === '') return { bucket, query, url: `/${encodeURIComponent(bucket)}${search}` };
  return { bucket, key, query, url: `/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}${search}` };
}

/** The object a CopyObject or UploadPartCopy copies. */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  /** The raw query after the source (`versionId=…`), if any. */
  readonly query?: string;
}

/**
 * The source an `x-amz-copy-source` header names (`bucket/key` or `/bucket/key`, URL-encoded, maybe `?versionId=…`);
 * undefined when it names no bucket and key or is no percent-encoded UTF-8. IAM, the preconditions and admission
 * (which hands s3rver the same source: `copySourceForStore`) all read it so.
 */
export function parseCopySource(header: string): CopySource | undefined {
  const queryAt = header.indexOf('?');
  const source = decoded((queryAt < 0 ? header : header.slice(0, queryAt)).replace(/^\//, ''));
  const slashAt = source?.indexOf('/') ?? -1;
  if (source === undefined || slashAt <= 0 || slashAt === source.length - 1) return undefined;
  const bucket = source.slice(0, slashAt);
  const key = source.slice(slashAt + 1);
  return queryAt < 0 ? { bucket, key } : { bucket, key, query: header.slice(queryAt + 1) };
}

/**
 * The header that makes s3rver copy exactly `source`: s3rver reads it with decodeURI, which decodes every escape but
 * those of reserved characters (`%2F`, `%3F`, `%2B`…), so the key is given as it is, only its `%` escaped.
 */
export const copySourceForStore = (source: CopySource): string => `${source.bucket}/${source.key.replaceAll('%', '%25')}`;
