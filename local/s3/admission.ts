/**
 * What S3 checks before it touches storage: a valid SigV4 signature, every
 * x-amz-* header signed, the declared length and payload hash honoured, and
 * the size limit. An admitted request comes back with its body buffered,
 * decoded and ready to hand to s3rver without its authentication.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import { crc32 } from 'node:zlib';
import { type BodyHold, type BodyPace } from '../http-body.ts';
import type { CredentialStore } from '../iam/credentials.ts';
import { unsignedAmzHeaders, verifySigV4 } from '../iam/sigv4.ts';
import { decodeAwsChunked, readBody } from './body.ts';
import { parseDeleteObjects, type DeleteObjectsList } from './delete-objects.ts';
import { s3Error, s3ErrorForSignature, type S3Error } from './errors.ts';
import { copySourceForStore, parseCopySource, parseS3Target, type CopySource, type S3Target } from './request-target.ts';
import { isBucketName, isStorableKey } from './s3rver-adapter.ts';
import { asElement, malformedXml, parseXmlBody, textOf } from './xml-body.ts';

export interface AdmissionOptions {
  readonly region: string;
  readonly credentials: CredentialStore;
  readonly maxObjectBytes: number;
  /** How the body must keep arriving (http-body.ts's BodyClock). */
  readonly pace?: BodyPace;
  /** Where the body's bytes are charged as they arrive (readBody). */
  readonly bodyHold?: BodyHold;
}

export interface AdmittedRequest {
  readonly ok: true;
  readonly accessKeyId: string;
  /** The canonical target (request-target.ts) without the SigV4 query parameters. */
  readonly url: string;
  /** The bucket and key it names, read once from the target as the signature read it. */
  readonly target: S3Target;
  /** Headers without Authorization and aws-chunked framing, Content-Length matching body. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** A DeleteObjects' keys, read once from its body: IAM checks them and storage deletes them (delete-objects.ts). */
  readonly deleteObjects?: DeleteObjectsList;
  /** The multipart upload the request names (`?uploadId=`), in the form s3rver issues. */
  readonly uploadId?: string;
}

export type Admission = AdmittedRequest | { readonly ok: false; readonly error: S3Error };

const refuse = (error: S3Error): Admission => ({ ok: false, error });

const sigV4QueryParameters = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
]);

/**
 * The object a PUT copies (CopyObject, UploadPartCopy), read as IAM and the preconditions read it; S3's refusal when
 * the header names none, or one the local S3 cannot copy.
 */
function copySourceOf(method: string, headers: IncomingHttpHeaders): CopySource | S3Error | undefined {
  const header = single(headers, 'x-amz-copy-source');
  if (method !== 'PUT' || header === undefined) return undefined;
  const source = parseCopySource(header);
  if (source === undefined) {
    return s3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', [
      ['ArgumentName', 'x-amz-copy-source'],
      ['ArgumentValue', header],
    ]);
  }
  if (!isBucketName(source.bucket)) return s3Error('InvalidBucketName', 'The specified bucket is not valid.', [['BucketName', source.bucket]]);
  if (!isStorableKey(source.key)) {
    return s3Error('InvalidArgument', 'Object keys holding "._S3rver_" are not supported by the local S3 (its store names its own files so).');
  }
  // s3rver would read `?versionId=…` as a part of the key; the local S3 keeps no versions.
  if (source.query !== undefined) return s3Error('NotImplemented', 'A copy source with a query (versionId) is not supported by the local S3.');
  return source;
}

/** Drops the presigned-URL parameters, leaving the rest of the query byte for byte. */
export function stripSigV4Query(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const kept = url
    .slice(queryAt + 1)
    .split('&')
    .filter((pair) => {
      const name = pair.split('=')[0];
      try {
        return pair !== '' && !sigV4QueryParameters.has(decodeURIComponent(name).toLowerCase());
      } catch {
        return true;
      }
    });
  return kept.length > 0 ? `${url.slice(0, queryAt)}?${kept.join('&')}` : url.slice(0, queryAt);
}

const single = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const streamingPayloads = new Set([
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);
const isSha256Hex = (value: string) => /^[0-9a-fA-F]{64}$/.test(value);

function declaredPayloadHash(req: IncomingMessage, presigned: boolean): string | undefined {
  if (!presigned) return single(req.headers, 'x-amz-content-sha256');
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  for (const [name, value] of query) if (name.toLowerCase() === 'x-amz-content-sha256') return value;
  return single(req.headers, 'x-amz-content-sha256');
}

/** S3's longest key, in bytes of UTF-8 (S3 User Guide, "Naming Amazon S3 objects"). */
export const maxKeyBytes = 1024;
/**
 * S3's most user-defined metadata, in bytes: the UTF-8 of each name (without `x-amz-meta-`) and value, summed
 * (S3 User Guide, "Working with object metadata").
 */
export const maxUserMetadataBytes = 2048;
const userMetadataPrefix = 'x-amz-meta-';

/**
 * Bytes of the request's user-defined metadata. Node reads header bytes as Latin-1, one character per byte, so a
 * UTF-8 name or value counts the bytes the client sent.
 */
function userMetadataBytes(headers: IncomingHttpHeaders): number {
  let bytes = 0;
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(userMetadataPrefix)) continue;
    bytes += Buffer.byteLength(name.slice(userMetadataPrefix.length), 'latin1') + Buffer.byteLength(single(headers, name) ?? '', 'latin1');
  }
  return bytes;
}

/**
 * Whether the request stores the object's user metadata: PutObject and CopyObject (a PUT that is no UploadPart)
 * and CreateMultipartUpload (`POST ?uploads`). Other POSTs (DeleteObjects, CompleteMultipartUpload) and UploadPart
 * store none, so their x-amz-meta-* headers are not counted.
 */
function storesMetadata(method: string | undefined, query: ParsedUrlQuery): boolean {
  if (method === 'PUT') return !('uploadId' in query);
  return method === 'POST' && 'uploads' in query;
}

function checkCrc32(headers: IncomingHttpHeaders, trailers: Readonly<Record<string, string>>, body: Buffer): S3Error | undefined {
  const declared = trailers['x-amz-checksum-crc32'] ?? single(headers, 'x-amz-checksum-crc32');
  if (declared === undefined) return undefined;
  const computed = Buffer.alloc(4);
  computed.writeUInt32BE(crc32(body) >>> 0);
  return computed.toString('base64') === declared
    ? undefined
    : s3Error('BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
}

/** The most bytes of body read for an object of at most `maxObjectBytes`: aws-chunked framing adds a size line and CRLFs per chunk, plus trailers. */
export function maxBodyBytes(maxObjectBytes: number, streaming: boolean): number {
  return maxObjectBytes + (streaming ? 64 * 1024 + Math.ceil(maxObjectBytes / 100) : 0);
}

export async function admitRequest(req: IncomingMessage, options: AdmissionOptions): Promise<Admission> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = req.url ?? '/';
  const verified = await verifySigV4({ method, url, headers: req.headers }, {
    credentials: options.credentials,
    service: 's3',
    region: options.region,
    uriEscapePath: false,
  });
  if (!verified.ok) return refuse(s3ErrorForSignature(verified));

  const notSigned = unsignedAmzHeaders(req.headers, verified.signedHeaders);
  if (notSigned.length > 0) {
    return refuse(
      s3Error('AccessDenied', 'There were headers present in the request which were not signed', [['HeadersNotSigned', notSigned.join(', ')]]),
    );
  }

  const payloadHash = declaredPayloadHash(req, verified.presigned);
  if (!verified.presigned && payloadHash === undefined) {
    return refuse(s3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256'));
  }
  if (payloadHash !== undefined && payloadHash !== 'UNSIGNED-PAYLOAD' && !streamingPayloads.has(payloadHash) && !isSha256Hex(payloadHash)) {
    return refuse(
      s3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.', [
        ['ArgumentName', 'x-amz-content-sha256'],
        ['ArgumentValue', payloadHash],
      ]),
    );
  }
  if (payloadHash?.startsWith('STREAMING-AWS4-HMAC-SHA256')) {
    return refuse(s3Error('NotImplemented', 'Signed aws-chunked payloads are not supported by the local S3; send UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER.'));
  }

  const target = parseS3Target(url);
  if (target === undefined) return refuse(s3Error('InvalidURI', "Couldn't parse the specified URI."));
  // A name that is no bucket's (`..` among them) never reaches s3rver's store, which joins it to a directory's path.
  if (target.bucket !== undefined && !isBucketName(target.bucket)) {
    return refuse(s3Error('InvalidBucketName', 'The specified bucket is not valid.', [['BucketName', target.bucket]]));
  }
  const keyRefused = target.key === undefined ? undefined : keyRefusal(target.key);
  if (keyRefused) return refuse(keyRefused);
  // The query s3rver is handed (stripSigV4Query: no empty pairs, no X-Amz-* parameters), read whole: Koa reads its
  // first 1,000 parameters only, so a reading of the query as sent, or a bounded one, could miss an uploadId or
  // partNumber that s3rver sees (1,000 empty pairs in front of them did). The values it may join into a path are
  // checked in this reading, which holds all that s3rver's does.
  const storeUrl = stripSigV4Query(target.url);
  const storeQuery = parseQuery(storeUrl.split('?')[1] ?? '', '&', '=', { maxKeys: 0 });
  const multipartRefused = multipartQueryRefusal(storeQuery, method);
  if (multipartRefused) return refuse(multipartRefused);
  const copied = copySourceOf(method, req.headers);
  if (copied !== undefined && !('bucket' in copied)) return refuse(copied);
  const metadataBytes = storesMetadata(method, storeQuery) ? userMetadataBytes(req.headers) : 0;
  if (metadataBytes > maxUserMetadataBytes) {
    return refuse(
      s3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', [
        ['Size', String(metadataBytes)],
        ['MaxSizeAllowed', String(maxUserMetadataBytes)],
      ]),
    );
  }

  // Sizes: Content-Length is required on PUT, except for aws-chunked uploads that declare their decoded length.
  const streaming = payloadHash !== undefined && streamingPayloads.has(payloadHash);
  const lengthText = single(req.headers, 'content-length');
  const decodedLengthText = single(req.headers, 'x-amz-decoded-content-length');
  if (lengthText !== undefined && !/^\d+$/.test(lengthText)) return refuse(s3Error('InvalidArgument', 'Content-Length must be a number.'));
  if (decodedLengthText !== undefined && !/^\d+$/.test(decodedLengthText)) {
    return refuse(s3Error('InvalidArgument', 'x-amz-decoded-content-length must be a number.'));
  }
  const contentLength = lengthText === undefined ? undefined : Number(lengthText);
  const objectLength = streaming ? (decodedLengthText === undefined ? undefined : Number(decodedLengthText)) : contentLength;
  if (method === 'PUT' && objectLength === undefined) {
    return refuse(s3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.'));
  }
  if (objectLength !== undefined && objectLength > options.maxObjectBytes) {
    return refuse(
      s3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', [
        ['ProposedSize', String(objectLength)],
        ['MaxSizeAllowed', String(options.maxObjectBytes)],
      ]),
    );
  }
  const bodyResult = await readBody(req, {
    expectedBytes: contentLength,
    maxBytes: maxBodyBytes(options.maxObjectBytes, streaming),
    pace: options.pace ?? {},
    ...(options.bodyHold ? { hold: options.bodyHold } : {}),
  });
  if (!bodyResult.ok) return refuse(bodyResult.error);

  let body = bodyResult.body;
  let trailers: Readonly<Record<string, string>> = {};
  if (streaming) {
    const decoded = decodeAwsChunked(body);
    if (!decoded) return refuse(s3Error('IncompleteBody', 'The aws-chunked request body is malformed.'));
    if (decoded.payload.length !== objectLength) {
      return refuse(s3Error('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length header'));
    }
    body = decoded.payload;
    trailers = decoded.trailers;
  } else if (payloadHash !== undefined && isSha256Hex(payloadHash)) {
    const computed = createHash('sha256').update(body).digest('hex');
    if (computed !== payloadHash.toLowerCase()) {
      return refuse(
        s3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", [
          ['ClientComputedContentSHA256', payloadHash],
          ['S3ComputedContentSHA256', computed],
        ]),
      );
    }
  }
  const digestError = checkCrc32(req.headers, trailers, body);
  if (digestError) return refuse(digestError);

  const bodyRefused = method === 'POST' && target.key !== undefined && 'uploadId' in storeQuery ? completedPartsRefusal(body) : undefined;
  if (bodyRefused) return refuse(bodyRefused);
  let deleteObjects: DeleteObjectsList | undefined;
  // The route s3rver takes for DeleteObjects (POST /bucket?delete), read as its router reads the query.
  if (method === 'POST' && target.bucket !== undefined && target.key === undefined && 'delete' in storeQuery) {
    const parsed = parseDeleteObjects(body);
    if (!('keys' in parsed)) return refuse(parsed);
    for (const key of parsed.keys) {
      const refused = keyRefusal(key);
      if (refused) return refuse(refused);
    }
    deleteObjects = parsed;
  }

  return {
    ok: true,
    accessKeyId: verified.accessKeyId,
    url: storeUrl,
    target,
    headers: forwardedHeaders(req.headers, body, streaming, copied),
    body,
    ...(deleteObjects ? { deleteObjects } : {}),
    ...(typeof storeQuery.uploadId === 'string' ? { uploadId: storeQuery.uploadId } : {}),
  };
}

/** S3's refusal of a key too long, or one the local S3 cannot store. */
function keyRefusal(key: string): S3Error | undefined {
  const keyBytes = Buffer.byteLength(key, 'utf8');
  if (keyBytes > maxKeyBytes) {
    return s3Error('KeyTooLongError', 'Your key is too long', [
      ['Size', String(keyBytes)],
      ['MaxSizeAllowed', String(maxKeyBytes)],
    ]);
  }
  if (!isStorableKey(key)) {
    return s3Error('InvalidArgument', 'Object keys holding "._S3rver_" are not supported by the local S3 (its store names its own files so).');
  }
  return undefined;
}

/** The query's values by name, as Koa gives them to s3rver (node:querystring, a repeated name as a list). */
const valuesOf = (query: ParsedUrlQuery, name: string): readonly string[] | undefined => {
  const value = query[name];
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
};

/** An upload ID s3rver issues: 16 random bytes in hex (its initiateMultipartUpload). */
const isUploadId = (value: string) => /^[0-9a-f]{32}$/.test(value);

/** Whether `text` is a part number S3 takes: an integer from 1 to 10,000. */
export const isPartNumber = (text: string) => /^[0-9]{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= maxPartNumber;
const maxPartNumber = 10000;

const invalidPartNumber = (value: string) =>
  s3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', [
    ['ArgumentName', 'partNumber'],
    ['ArgumentValue', value],
  ]);

/**
 * S3's refusal of an upload ID it could not have issued (404 NoSuchUpload) or a part number out of 1-10,000 (400
 * InvalidArgument). s3rver joins both to a directory's path (its putPart, putObjectMultipart): `../` in either wrote
 * or removed files outside the upload's directory, another bucket's objects and the state directory included.
 */
function multipartQueryRefusal(query: ParsedUrlQuery, method: string | undefined): S3Error | undefined {
  const uploadIds = valuesOf(query, 'uploadId');
  if (uploadIds !== undefined && (uploadIds.length !== 1 || !isUploadId(uploadIds[0]))) {
    return noSuchUpload(uploadIds.join(','));
  }
  const partNumbers = valuesOf(query, 'partNumber');
  if (partNumbers !== undefined && (partNumbers.length !== 1 || !isPartNumber(partNumbers[0]))) return invalidPartNumber(partNumbers.join(','));
  // An UploadPart names its part: s3rver's putPart took none and failed with a 500.
  if (method === 'PUT' && uploadIds !== undefined && partNumbers === undefined) return invalidPartNumber('');
  return undefined;
}

/** S3's answer to an upload ID that names no upload under way of the request's key. */
export const noSuchUpload = (uploadId: string): S3Error =>
  s3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', [
    ['UploadId', uploadId],
  ]);

/** S3's refusal of a CompleteMultipartUpload body whose parts are not numbered 1 to 10,000 (s3rver joins each number to a path). */
function completedPartsRefusal(body: Buffer): S3Error | undefined {
  const parts = asElement(parseXmlBody(body)?.CompleteMultipartUpload)?.Part;
  if (!Array.isArray(parts) || parts.length === 0) return malformedXml();
  for (const part of parts) {
    const partNumber = asElement(part)?.PartNumber;
    const text = textOf(partNumber);
    if (text === undefined || typeof textOf(asElement(part)?.ETag) !== 'string') return malformedXml();
    if (!isPartNumber(text)) return invalidPartNumber(text);
  }
  return undefined;
}

/** Headers s3rver sees: no Authorization, no aws-chunked framing, and a payload hash so it treats the call as an SDK call. */
function forwardedHeaders(headers: IncomingHttpHeaders, body: Buffer, streaming: boolean, copied: CopySource | undefined): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = { ...headers };
  // The copy source as IAM and the preconditions read it (request-target.ts), in the form s3rver reads.
  if (copied !== undefined) forwarded['x-amz-copy-source'] = copySourceForStore(copied);
  delete forwarded.authorization;
  delete forwarded['transfer-encoding'];
  delete forwarded['x-amz-decoded-content-length'];
  delete forwarded['x-amz-trailer'];
  if (streaming) {
    const encodings = (single(headers, 'content-encoding') ?? '')
      .split(',')
      .map((encoding) => encoding.trim())
      .filter((encoding) => encoding !== '' && encoding !== 'aws-chunked');
    if (encodings.length > 0) forwarded['content-encoding'] = encodings.join(', ');
    else delete forwarded['content-encoding'];
  }
  forwarded['content-length'] = String(body.length);
  forwarded['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
  return forwarded;
}
