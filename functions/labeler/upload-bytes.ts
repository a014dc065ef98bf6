/**
 * Reads an upload's bytes once: they are hashed (same bytes, one detection),
 * checked for their real type, made into the thumbnail and, when Rekognition
 * would refuse the object (rekognition-image.ts), resized or converted for it. The read is pinned to the event's ETag
 * (pinned-object.ts). The presigned PUT bounds their size (api/limits.ts),
 * so they fit in memory.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ifMatchOf, pinned } from './pinned-object.ts';
import type { UploadedObject } from '../shared/uploaded-object.ts';

export async function readUploadBytes(s3: S3Client, object: UploadedObject): Promise<Uint8Array> {
  const { Body } = await pinned(object, () =>
    s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: ifMatchOf(object) })),
  );
  if (!Body) throw new Error(`object ${object.key} has no body`);
  return Body.transformToByteArray();
}
