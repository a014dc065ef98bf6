/**
 * Presigns the S3 PUT URL for one pending image. Content type and content
 * length are signed headers, so S3 refuses any other type or size, and the
 * URL names one key only.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { UploadLimits } from '../../api/limits.ts';

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
  if (!request.objectKey.startsWith(UploadLimits.keyPrefix)) {
    throw new Error(`object key ${request.objectKey} is outside ${UploadLimits.keyPrefix}`);
  }
  const signingDate = args.now ?? new Date();
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: request.objectKey,
    ContentType: request.contentType,
    ContentLength: request.sizeBytes,
  });
  const uploadUrl = await getSignedUrl(s3, command, {
    expiresIn: UploadLimits.urlTtlSeconds,
    signingDate,
    signableHeaders: new Set(['content-type', 'content-length']),
  });
  return {
    uploadUrl,
    // Content-Length is signed too; fetch and browsers send it from the body.
    uploadHeaders: [{ name: 'Content-Type', value: request.contentType }],
    expiresAt: new Date(signingDate.getTime() + UploadLimits.urlTtlSeconds * 1000).toISOString(),
  };
}
