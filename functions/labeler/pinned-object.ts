/**
 * Every read the labeler makes of an upload names the version its S3 event
 * is about: GetObject with If-Match, CopyObject with CopySourceIfMatch and,
 * after Rekognition has read the object itself (its S3Object takes no ETag;
 * a small upload is sent as the bytes GetObject read instead,
 * rekognition-fit.ts), a HeadObject with If-Match that proves the object was
 * still that version.
 *
 * Uploads are write-once (functions/presign-upload/presign.ts), so while an
 * image exists its upload key holds one version. What that cannot rule out
 * is an event about an object that is gone: deleted with its image, maybe
 * put again through the still-valid URL (then a new object with its own
 * event), or an S3-compatible store that ignores If-None-Match. Such an
 * event is stale: S3 answers the pinned request with 412 PreconditionFailed
 * (another object) or 404 (none), and the run stops without labelling;
 * the event of the current object, or the reconciler, labels the image.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StaleUploadError } from '../shared/errors.ts';
import type { UploadedObject } from '../shared/uploaded-object.ts';


/** The If-Match value for the event's version; undefined when the event carries no ETag (then nothing is pinned). */
export const ifMatchOf = (object: UploadedObject): string | undefined => (object.eTag ? `"${object.eTag}"` : undefined);

const goneErrorNames = new Set(['PreconditionFailed', 'NoSuchKey', 'NotFound']);

/** Whether an S3 error means the object is another version (412) or none at all (404). */
export function isVersionGone(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return goneErrorNames.has(name ?? '') || $metadata?.httpStatusCode === 412 || $metadata?.httpStatusCode === 404;
}

/** Runs a pinned S3 request; its "version gone" answers become a StaleUploadError. */
export async function pinned<T>(object: UploadedObject, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (isVersionGone(error)) throw new StaleUploadError(object, { cause: error });
    throw error;
  }
}

/** Resolves if the upload is still the event's version; throws StaleUploadError otherwise. */
export async function confirmVersion(s3: S3Client, object: UploadedObject): Promise<void> {
  const ifMatch = ifMatchOf(object);
  if (!ifMatch) return;
  await pinned(object, () => s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: ifMatch })));
}
