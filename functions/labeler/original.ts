/**
 * Keeps a labelled image's bytes: a server-side copy from the uploads prefix
 * (a landing zone S3 expires after a day) to the originals prefix, which never
 * expires and is what Image.url serves. Outside the uploads prefix, so the
 * copy's ObjectCreated:Copy event labels nothing. The copy is pinned to the
 * event's ETag (pinned-object.ts): it keeps the version that was labelled.
 */
import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { originalKeyFor } from '../../api/media.ts';
import { ifMatchOf, pinned } from './pinned-object.ts';
import type { UploadedObject } from '../shared/uploaded-object.ts';

/** CopySource is "bucket/key" with the key URL-encoded segment by segment. */
const copySourceOf = (bucket: string, key: string) => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/**
 * Copies the upload to its kept key, with the content type its bytes really
 * have (image-type.ts; usually the one the presigned PUT was bound to) and a
 * cache header fit for a presigned GET. Safe to repeat: the same bytes land
 * on the same key.
 */
export async function keepOriginal(s3: S3Client, object: UploadedObject, contentType: string): Promise<string> {
  const key = originalKeyFor(object.imageId);
  await pinned(object, () =>
    s3.send(
      new CopyObjectCommand({
        Bucket: object.bucket,
        Key: key,
        CopySource: copySourceOf(object.bucket, object.key),
        CopySourceIfMatch: ifMatchOf(object),
        MetadataDirective: 'REPLACE',
        ContentType: contentType,
        CacheControl: 'private, max-age=86400, immutable',
      }),
    ),
  );
  return key;
}
