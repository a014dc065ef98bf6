/**
 * Resolves a request's `Image` ({Bytes} or {S3Object}) into image bytes,
 * with Rekognition's size limits.
 */
import { RekognitionError, RekognitionErrorCode, RekognitionErrorMessage, invalidParameter } from '../errors.ts';

export const ImageLimits = {
  /** Image.Bytes: 5 MB. */
  maxBytes: 5 * 1024 * 1024,
  /** Image.S3Object: 15 MB. */
  maxS3ObjectBytes: 15 * 1024 * 1024,
} as const;

export type ReadObject = (bucket: string, key: string) => Promise<Buffer | undefined>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function resolveImage(image: unknown, readObject: ReadObject): Promise<Uint8Array> {
  if (!isRecord(image)) throw invalidParameter('Image is required');
  const { Bytes: bytes, S3Object: s3Object } = image;
  if ((bytes === undefined) === (s3Object === undefined)) throw invalidParameter('Image must hold exactly one of Bytes and S3Object');

  if (bytes !== undefined) {
    if (typeof bytes !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(bytes)) {
      throw new RekognitionError(RekognitionErrorCode.serialization, 'Image.Bytes must be base64-encoded');
    }
    const decoded = Buffer.from(bytes, 'base64');
    if (decoded.length === 0) throw invalidParameter('Image.Bytes is empty');
    if (decoded.length > ImageLimits.maxBytes) throw new RekognitionError(RekognitionErrorCode.imageTooLarge, RekognitionErrorMessage.imageTooLarge);
    return decoded;
  }

  if (!isRecord(s3Object) || typeof s3Object.Bucket !== 'string' || typeof s3Object.Name !== 'string' || !s3Object.Bucket || !s3Object.Name) {
    throw invalidParameter('Image.S3Object needs a Bucket and a Name');
  }
  let object: Buffer | undefined;
  try {
    object = await readObject(s3Object.Bucket, s3Object.Name);
  } catch (error) {
    throw new RekognitionError(RekognitionErrorCode.invalidS3Object, RekognitionErrorMessage.invalidS3Object, { cause: error });
  }
  if (object === undefined) throw new RekognitionError(RekognitionErrorCode.invalidS3Object, RekognitionErrorMessage.invalidS3Object);
  if (object.length > ImageLimits.maxS3ObjectBytes) throw new RekognitionError(RekognitionErrorCode.imageTooLarge, RekognitionErrorMessage.imageTooLarge);
  return object;
}
