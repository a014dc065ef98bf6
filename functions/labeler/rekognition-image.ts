/**
 * What to hand Rekognition for an upload. Rekognition reads JPEG and PNG
 * only, straight from S3; a WebP upload (which requestUpload accepts) is
 * converted to JPEG bytes first, within the 5 MB that Image.Bytes allows.
 */
import type { Image as RekognitionImage } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { UnlabelableImageError } from './detect.ts';
import type { UploadedObject } from '../shared/uploaded-object.ts';

/** Rekognition's limit for Image.Bytes. */
const maxBytes = 5 * 1024 * 1024;
/** Large enough for Rekognition's detail, small enough to fit in maxBytes. */
const maxSide = 4096;
/** Decompression-bomb guard for the conversion, as Rekognition has its own. */
const maxInputPixels = 100_000_000;

export async function webpAsJpeg(webp: Uint8Array): Promise<Buffer> {
  try {
    for (const quality of [90, 80, 65]) {
      const jpeg = await sharp(webp, { failOn: 'error', limitInputPixels: maxInputPixels })
        .rotate()
        .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality })
        .toBuffer();
      if (jpeg.byteLength <= maxBytes) return jpeg;
    }
  } catch (error) {
    throw new UnlabelableImageError(`InvalidImageFormatException: the WebP upload could not be decoded (${(error as Error).message})`, {
      cause: error,
    });
  }
  throw new UnlabelableImageError('ImageTooLargeException: the WebP upload does not fit in 5 MB as JPEG');
}

/** The S3 object itself, or for WebP its bytes (being read already) converted to JPEG. */
export async function rekognitionImageFor(object: UploadedObject, contentType: string, bytes: Promise<Uint8Array>): Promise<RekognitionImage> {
  if (contentType !== 'image/webp') return { S3Object: { Bucket: object.bucket, Name: object.key } };
  return { Bytes: await webpAsJpeg(await bytes) };
}
