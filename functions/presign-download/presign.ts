/**
 * Presigns short-lived GET URLs for image bytes: the kept originals of
 * labelled images and thumbnails, nothing else (the role may read only those
 * too); never the uploads landing zone.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MediaLayout, readableKeyPrefixes } from '../../api/media.ts';

/** One BatchInvoke item, as Image.url / Image.thumbnailUrl send it. */
export interface PresignDownloadRequest {
  readonly objectKey: string;
}

export interface PresignDownloadArgs {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly request: PresignDownloadRequest;
  readonly now?: Date;
}

export const isReadableKey = (key: unknown): key is string =>
  typeof key === 'string' && !key.includes('..') && readableKeyPrefixes.some((prefix) => key.startsWith(prefix) && key.length > prefix.length);

export async function presignDownload(args: PresignDownloadArgs): Promise<string> {
  const { objectKey } = args.request;
  if (!isReadableKey(objectKey)) throw new Error(`object key ${String(objectKey)} is not an image or thumbnail key`);
  return getSignedUrl(args.s3, new GetObjectCommand({ Bucket: args.bucket, Key: objectKey }), {
    expiresIn: MediaLayout.readUrlTtlSeconds,
    signingDate: args.now ?? new Date(),
  });
}
