/**
 * Reads an upload's bytes once: they are hashed (same bytes, one detection),
 * made into the thumbnail and, for WebP, converted for Rekognition. The
 * presigned PUT bounds their size (api/limits.ts), so they fit in memory.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { UploadedObject } from './uploaded-object.ts';

export async function readUploadBytes(s3: S3Client, object: UploadedObject): Promise<Uint8Array> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  if (!Body) throw new Error(`object ${object.key} has no body`);
  return Body.transformToByteArray();
}
