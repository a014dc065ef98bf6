/** Which image an S3 ObjectCreated record is about. */
import type { S3EventRecord } from 'aws-lambda';
import { MediaLayout } from '../../api/media.ts';

export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  readonly imageId: string;
  readonly sizeBytes: number;
  /** The object's ETag as the event gives it (quotes removed); absent in some events. */
  readonly eTag?: string;
}

/** Returns undefined for keys outside the uploads prefix (not ours to label). */
export function uploadedObjectFrom(record: S3EventRecord): UploadedObject | undefined {
  // S3 event keys are URL-encoded with '+' for spaces.
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  if (!key.startsWith(MediaLayout.uploadKeyPrefix)) return undefined;
  const imageId = key.slice(MediaLayout.uploadKeyPrefix.length);
  if (imageId === '' || imageId.includes('/')) return undefined;
  const eTag = record.s3.object.eTag?.replace(/"/g, '');
  return { bucket: record.s3.bucket.name, key, imageId, sizeBytes: record.s3.object.size, ...(eTag ? { eTag } : {}) };
}
