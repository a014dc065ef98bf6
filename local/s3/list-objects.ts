/**
 * ListObjects and ListObjectsV2 answered as S3 answers them, in place of s3rver's own controller (its getBucket):
 * - s3rver's ListObjectsV2 continuation token is DES-encrypted, a cipher Node 17+'s OpenSSL 3 refuses, so every
 *   truncated ListObjectsV2 (more keys than MaxKeys, or than 1,000) was a 500. S3's token is opaque: here it is the
 *   base64url of the bucket and the last entry returned, and one that is not such a token for this bucket is refused
 *   as S3 refuses a token it did not issue (400 InvalidArgument, "The continuation token provided is incorrect").
 *   It is not signed: a token made by hand says no more than StartAfter may.
 * - A common prefix counts as one entry toward MaxKeys, and NextMarker / NextContinuationToken name the last entry
 *   returned, a common prefix too (stored-keys.ts lists so); KeyCount counts keys and common prefixes, as S3's does.
 * - `encoding-type=url` (the AWS CLI's listings send it) URL-encodes the keys and prefixes of the answer.
 * The rest (the max-keys checks and their messages, the XML's shape) is s3rver's.
 */
import { createRequire } from 'node:module';
import type { StoredListing } from './stored-keys.ts';

type S3ErrorConstructor = new (code: string, message: string, detail?: Record<string, unknown>) => Error;

interface ListingContext {
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly params: { readonly bucket: string };
  readonly store: { listObjects(bucket: string, options: Record<string, unknown>): Promise<unknown> };
  body: unknown;
}

interface BucketController {
  getBucket(ctx: ListingContext): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The most keys S3 returns in one answer, whatever MaxKeys asks. */
const maxKeysPerPage = 1000;

/** A continuation token: where the next page of the bucket's listing starts after. */
export function continuationToken(bucket: string, after: string): string {
  return Buffer.from(JSON.stringify([bucket, after]), 'utf8').toString('base64url');
}

/** Where a token this module issued for the bucket says to start after; undefined for any other string. */
export function tokenStart(token: string, bucket: string): string | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== bucket || typeof decoded[1] !== 'string') return undefined;
  const after = decoded[1];
  // base64url decoding skips what is not base64url: only the token this module would issue is one.
  return continuationToken(bucket, after) === token ? after : undefined;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Answers ListObjects (V1) and ListObjectsV2 for s3rver's router, which calls its bucket controller's getBucket. */
async function getBucket(ctx: ListingContext): Promise<void> {
  const S3Error = require('s3rver/lib/models/error') as S3ErrorConstructor;
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { id: number; displayName: string } };
  const bucket = ctx.params.bucket;
  const query = (name: string) => single(ctx.query[name]);
  const invalid = (message: string, detail: Record<string, unknown>) => new S3Error('InvalidArgument', message, detail);

  const maxKeysText = query('max-keys');
  let maxKeys = maxKeysPerPage;
  if (maxKeysText) {
    if (!/^-?\d+$/.test(maxKeysText)) {
      throw invalid('Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: maxKeysText });
    }
    const asked = Number(maxKeysText);
    if (asked < 0 || asked > 2147483647) {
      throw invalid('Argument maxKeys must be an integer between 0 and 2147483647', { ArgumentName: 'maxKeys', ArgumentValue: asked });
    }
    maxKeys = Math.min(maxKeysPerPage, asked);
  }
  const encodingType = query('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url') {
    throw invalid('Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: encodingType });
  }
  const encoded = (text: string | undefined) => (text === undefined || encodingType !== 'url' ? text : encodeURIComponent(text));

  const v2 = query('list-type') === '2';
  const token = query('continuation-token');
  let startAfter: string | undefined;
  if (v2) {
    if ('marker' in ctx.query) throw invalid('Marker unsupported with REST.GET.BUCKET in list-type=2', { ArgumentName: 'marker' });
    // The token holds the last entry returned, after any StartAfter given with the listing's first page.
    startAfter = token === undefined ? query('start-after') : tokenStart(token, bucket);
    if (token !== undefined && startAfter === undefined) {
      throw invalid('The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    }
  } else {
    if ('continuation-token' in ctx.query) {
      throw invalid('continuation-token only supported in REST.GET.BUCKET with list-type=2', { ArgumentName: 'continuation-token' });
    }
    if ('start-after' in ctx.query) throw invalid('startAfter only supported in REST.GET.BUCKET with list-type=2', { ArgumentName: 'start-after' });
    startAfter = query('marker');
  }
  const prefix = query('prefix') || undefined;
  const delimiter = query('delimiter') || undefined;
  const listing: StoredListing =
    maxKeys === 0
      ? { objects: [], commonPrefixes: [], isTruncated: false }
      : ((await ctx.store.listObjects(bucket, { delimiter, startAfter, prefix, maxKeys })) as StoredListing);
  const fetchOwner = v2 ? query('fetch-owner') === 'true' : true;

  ctx.body = {
    ListBucketResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Name: bucket,
      Prefix: encoded(prefix) ?? '',
      ...(v2
        ? {
            StartAfter: encoded(query('start-after')),
            ContinuationToken: token,
            NextContinuationToken: listing.nextMarker === undefined ? undefined : continuationToken(bucket, listing.nextMarker),
            KeyCount: listing.objects.length + listing.commonPrefixes.length,
          }
        : {
            Marker: encoded(startAfter) ?? '',
            // S3 gives NextMarker only with a delimiter; without one the last key is the next marker.
            NextMarker: delimiter === undefined ? undefined : encoded(listing.nextMarker),
          }),
      MaxKeys: maxKeysText || maxKeysPerPage,
      Delimiter: encoded(delimiter),
      EncodingType: encodingType,
      IsTruncated: listing.isTruncated,
      Contents: listing.objects.map((object) => ({
        Key: encoded(object.key),
        LastModified: object.lastModifiedDate.toISOString(),
        ETag: object.metadata.etag,
        Size: object.size,
        Owner: fetchOwner ? { ID: DUMMY_ACCOUNT.id, DisplayName: DUMMY_ACCOUNT.displayName } : undefined,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: listing.commonPrefixes.map((commonPrefix) => ({ Prefix: encoded(commonPrefix) })),
    },
  };
}

/**
 * Makes s3rver answer bucket listings with `getBucket` above. s3rver's router calls the controller through its module
 * object, which every s3rver instance of the process shares, so this is done once for all.
 */
export function answerListingsAsS3(): void {
  const controller = require('s3rver/lib/controllers/bucket') as BucketController;
  controller.getBucket = getBucket;
}
