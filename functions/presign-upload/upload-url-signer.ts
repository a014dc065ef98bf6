/**
 * Presigned upload URLs, exactly as `getSignedUrl` of a PutObjectCommand
 * makes them, at a fraction of its CPU. getSignedUrl runs the client's whole
 * middleware stack (a clone of it, the serializer, the endpoint rules) for
 * every URL: ~2.9 ms of CPU a call, most of the presign Lambda's work. Here
 * the SDK presigns the first URL of a client and bucket; its URL gives the
 * shape every later one shares (origin, the path before the key, the one
 * query parameter the serializer adds, the signing region and service), and
 * later URLs are signed from that shape by the SDK's own S3RequestPresigner,
 * the signer getSignedUrl itself ends with.
 *
 * The shape is used only when it is the one known here (signed headers, query
 * parameters, a path that ends with the key as the serializer encodes it) and
 * when signing the first request from it gives back the SDK's own URL, byte
 * for byte; otherwise every URL of that client and bucket comes from
 * getSignedUrl. tests/functions/upload-url-signer.test.ts compares the two
 * over keys, types, sizes, endpoint styles and session credentials.
 *
 * Credentials are not part of the shape: the presigner asks the client's own
 * credential provider for every URL, as getSignedUrl does, so a URL carries
 * the keys (and the X-Amz-Security-Token of session credentials, which
 * Lambda's role credentials always are) current when it is signed, refreshed
 * ones included. A request getSignedUrl refuses (an expiry over a week) goes
 * to getSignedUrl, which refuses it with its own error.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3RequestPresigner, getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { formatUrl } from '@aws-sdk/core/util';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { HttpRequest } from '@smithy/protocol-http';
import { MAX_PRESIGNED_TTL } from '@smithy/signature-v4';

/** What the URL binds besides the key: the upload's type and size, and write-once. */
export interface UploadUrlRequest {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly contentLength: number;
  readonly ifNoneMatch: string;
  readonly expiresIn: number;
  readonly signingDate: Date;
}

/** The headers an upload URL signs (getSignedUrl's signableHeaders; host is always signed). */
export const uploadSignedHeaders = ['content-type', 'content-length', 'if-none-match'] as const;

/** The query parameters a presigned PutObject URL carries: the signature's, and the serializer's x-id. */
const knownQuery = new Set(['X-Amz-Algorithm', 'X-Amz-Content-Sha256', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'x-id']);
/** The signer adds the session token of session credentials (Lambda's role credentials always have one); other keys have none. */
const sessionTokenQuery = 'X-Amz-Security-Token';
/** The parameters that name the credentials a URL was signed with. */
const credentialQuery = ['X-Amz-Credential', sessionTokenQuery] as const;
const knownSignedHeaders = 'content-length;content-type;host;if-none-match';

/** What every upload URL of one client and bucket shares. */
interface UrlShape {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly pathBeforeKey: string;
  readonly xId: string;
  readonly signingRegion: string;
  readonly signingService: string;
  readonly presigner: S3RequestPresigner;
}

/** A shape, or 'sdk' when this client and bucket must always use getSignedUrl. */
type Learned = UrlShape | 'sdk';

const learnedByClient = new WeakMap<S3Client, Map<string, Learned>>();

/** The serializer's encoding of an S3 key in the path: each segment URI-encoded as the SDK encodes it (!'()* too), slashes kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(extendedEncodeURIComponent).join('/');
}

function sdkUrl(s3: S3Client, request: UploadUrlRequest): Promise<string> {
  return getSignedUrl(
    s3,
    new PutObjectCommand({
      Bucket: request.bucket,
      Key: request.key,
      ContentType: request.contentType,
      ContentLength: request.contentLength,
      IfNoneMatch: request.ifNoneMatch,
    }),
    { expiresIn: request.expiresIn, signingDate: request.signingDate, signableHeaders: new Set(uploadSignedHeaders) },
  );
}

async function signFromShape(shape: UrlShape, request: UploadUrlRequest): Promise<string> {
  const host = `${shape.hostname}${shape.port !== undefined ? `:${shape.port}` : ''}`;
  const unsigned = new HttpRequest({
    method: 'PUT',
    protocol: shape.protocol,
    hostname: shape.hostname,
    port: shape.port,
    path: `${shape.pathBeforeKey}${encodeKeyPath(request.key)}`,
    query: { 'x-id': shape.xId },
    headers: {
      'content-type': request.contentType,
      'content-length': String(request.contentLength),
      'if-none-match': request.ifNoneMatch,
      host,
    },
  });
  const signed = await shape.presigner.presign(unsigned, {
    expiresIn: request.expiresIn,
    signingDate: request.signingDate,
    signableHeaders: new Set(uploadSignedHeaders),
    signingRegion: shape.signingRegion,
    signingService: shape.signingService,
  });
  // getSignedUrl ends with the same formatter: query keys sorted, names and values URI-encoded.
  return formatUrl(signed);
}

/** The shape of `url`, the SDK's URL for `request`, when it is the known one; undefined otherwise. */
function shapeOf(s3: S3Client, url: string, request: UploadUrlRequest): UrlShape | undefined {
  const parsed = new URL(url);
  // Exactly the known parameters, and the session token when the credentials have one.
  const names = [...parsed.searchParams.keys()].filter((name) => name !== sessionTokenQuery);
  if (parsed.searchParams.getAll(sessionTokenQuery).length > 1) return undefined;
  if (names.length !== knownQuery.size || names.some((name) => !knownQuery.has(name))) return undefined;
  if (parsed.searchParams.get('X-Amz-SignedHeaders') !== knownSignedHeaders || parsed.username || parsed.password || parsed.hash) return undefined;
  const encodedKey = encodeKeyPath(request.key);
  if (!parsed.pathname.endsWith(encodedKey)) return undefined;
  // accessKeyId/date/region/service/aws4_request
  const scope = (parsed.searchParams.get('X-Amz-Credential') ?? '').split('/');
  if (scope.length < 5 || scope.at(-1) !== 'aws4_request') return undefined;
  const [signingRegion, signingService] = scope.slice(-3, -1);
  return {
    protocol: parsed.protocol,
    hostname: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : undefined,
    pathBeforeKey: parsed.pathname.slice(0, parsed.pathname.length - encodedKey.length),
    xId: parsed.searchParams.get('x-id') ?? '',
    signingRegion,
    signingService,
    // The client's config holds its credential provider (memoized, refreshed when the credentials expire), so
    // each URL is signed with the credentials current at its signing, as getSignedUrl's presigner does.
    presigner: new S3RequestPresigner({ ...s3.config, signingName: signingService, region: async () => signingRegion }),
  };
}

/** Whether two URLs were signed with the same credentials (access key and session token). */
function sameCredentials(url: string, other: string): boolean {
  const query = new URL(url).searchParams;
  const otherQuery = new URL(other).searchParams;
  return credentialQuery.every((name) => query.get(name) === otherQuery.get(name));
}

/** The SDK's URL for the first request of a client and bucket, and from then on what the learned shape gives. */
export async function signUploadUrl(s3: S3Client, request: UploadUrlRequest): Promise<string> {
  // getSignedUrl refuses these with its own error (the signer's bare rejection, wrapped by the client's stack).
  if (request.expiresIn > MAX_PRESIGNED_TTL) return sdkUrl(s3, request);
  let byBucket = learnedByClient.get(s3);
  if (!byBucket) learnedByClient.set(s3, (byBucket = new Map()));
  const learned = byBucket.get(request.bucket);
  if (learned === 'sdk') return sdkUrl(s3, request);
  if (learned) return signFromShape(learned, request);
  const url = await sdkUrl(s3, request);
  const shape = shapeOf(s3, url, request);
  if (!shape) {
    byBucket.set(request.bucket, 'sdk');
    return url;
  }
  // Kept only when it gives back the SDK's own URL for this very request. When the credentials were refreshed
  // between the two signatures, the comparison says nothing: the next request learns again.
  const fromShape = await signFromShape(shape, request);
  if (fromShape === url) byBucket.set(request.bucket, shape);
  else if (sameCredentials(fromShape, url)) byBucket.set(request.bucket, 'sdk');
  return url;
}

/** Whether later URLs of this client and bucket are signed from a learned shape (false before the first, or when the SDK signs them all). */
export function signsFromShape(s3: S3Client, bucket: string): boolean {
  const learned = learnedByClient.get(s3)?.get(bucket);
  return learned !== undefined && learned !== 'sdk';
}
