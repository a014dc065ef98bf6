/**
 * Presigns the S3 PUT URL for one pending image. Content type and content
 * length are signed headers, so S3 refuses any other type or size, and the
 * URL names one key only.
 *
 * The URL is write-once: `If-None-Match: *` is signed too (S3 conditional
 * writes), so S3 stores the first PUT and answers any later one, for the
 * URL's five minutes, with 412 PreconditionFailed. Each image then has one
 * version of its bytes, and its labels, moderation verdict, kept original and
 * thumbnail all describe that version; without it, a second PUT of other
 * bytes of the same size, while the first is being labelled, got one
 * version's labels served with the other's picture. (The labeler also pins
 * its reads to the event's ETag, functions/labeler/pinned-object.ts, for
 * what this cannot rule out: an event about an object since deleted.)
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { MediaLayout } from '../../api/media.ts';
import { UploadLimits } from '../../api/limits.ts';
import { signUploadUrl } from './upload-url-signer.ts';

/** S3 stores the PUT only if the key holds no object yet. */
const writeOnce = '*';

export interface PresignUploadRequest {
  readonly objectKey: string;
  readonly contentType: string;
  readonly sizeBytes: number;
}

export interface UploadTicketParts {
  readonly uploadUrl: string;
  readonly uploadHeaders: readonly { readonly name: string; readonly value: string }[];
  readonly expiresAt: string;
}

export interface PresignUploadArgs {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly request: PresignUploadRequest;
  readonly now?: Date;
}

export async function presignUpload(args: PresignUploadArgs): Promise<UploadTicketParts> {
  const { s3, bucket, request } = args;
  if (!request.objectKey.startsWith(MediaLayout.uploadKeyPrefix)) {
    throw new Error(`object key ${request.objectKey} is outside ${MediaLayout.uploadKeyPrefix}`);
  }
  const signingDate = args.now ?? new Date();
  // getSignedUrl's URL for a PutObjectCommand of these, signing type, size and If-None-Match (upload-url-signer.ts).
  const uploadUrl = await signUploadUrl(s3, {
    bucket,
    key: request.objectKey,
    contentType: request.contentType,
    contentLength: request.sizeBytes,
    ifNoneMatch: writeOnce,
    expiresIn: UploadLimits.urlTtlSeconds,
    signingDate,
  });
  return {
    uploadUrl,
    // Content-Length is signed too; fetch and browsers send it from the body. A request without If-None-Match fails the signature.
    uploadHeaders: [
      { name: 'Content-Type', value: request.contentType },
      { name: 'If-None-Match', value: writeOnce },
    ],
    expiresAt: new Date(signingDate.getTime() + UploadLimits.urlTtlSeconds * 1000).toISOString(),
  };
}
