/**
 * The S3 objects one image may have: the upload (transient), the kept
 * original and the thumbnail (both kept until the image is deleted).
 */
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { originalKeyFor, thumbnailKeyFor, uploadKeyFor } from '../../api/media.ts';

/** What the labeler writes for a LABELED image, and S3 never expires. */
export const keptObjectKeys = (imageId: string) => [originalKeyFor(imageId), thumbnailKeyFor(imageId)];

/** Every key an image's bytes may be under. */
export const imageObjectKeys = (imageId: string) => [uploadKeyFor(imageId), ...keptObjectKeys(imageId)];

/** S3 answers success for keys that do not exist, so this is safe to repeat. */
export async function deleteObjects(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))));
}

/** Removes the kept original and thumbnail of an image deleted while it was being labelled. */
export const deleteKeptObjects = (s3: S3Client, bucket: string, imageId: string) => deleteObjects(s3, bucket, keptObjectKeys(imageId));
