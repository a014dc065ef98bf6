/**
 * What to hand Rekognition for an upload, within its fixed limits
 * (RekognitionLimits: JPEG or PNG, 80–10,000 px a side, 15 MB from S3, 5 MB
 * as Image.Bytes). An upload within them is sent as its own bytes when it is
 * small (up to inlineOriginalMaxBytes: no version check after detection,
 * rekognition-fit.ts says why), else read by Rekognition from S3. Any
 * other (a WebP, a panorama over 10,000 px, an icon under 80 px, a file
 * between 15 MB and the 15 MiB the API admits) is sent as a JPEG copy resized
 * to fit (rekognition-fit.ts says how, and why the boxes stay valid), or ends
 * FAILED with a reason naming the limit when no copy can fit. The kept
 * original is the upload as it came, never the copy.
 */
import type { Image as RekognitionImage } from '@aws-sdk/client-rekognition';
import sharp, { type Metadata } from 'sharp';
import { RekognitionLimits } from '../../api/limits.ts';
import { UnlabelableImageError } from '../shared/errors.ts';
import { rekognitionFit, resizeInputPixelLimit } from './rekognition-fit.ts';
import type { UploadedObject } from '../shared/uploaded-object.ts';

/** One quality for every try: a smaller size, not a lower quality, is what makes a copy fit, and each try decodes the upload again. */
const jpegQuality = 80;
/** Each smaller try aims this far under what the byte limit allows, so one smaller try nearly always suffices. */
const shrinkMargin = 0.9;
const maxTries = 5;

const grouped = (value: number) => value.toLocaleString('en-US');

/**
 * A JPEG of `bytes` at `width` × `height` (after EXIF orientation, alpha on
 * white), at most RekognitionLimits.maxImageBytes long: when a try is too
 * long, the next is smaller in proportion to the excess (JPEG bytes grow
 * about with the pixel count), never under Rekognition's minimum side.
 */
export async function jpegWithin(
  bytes: Uint8Array,
  target: { readonly width: number; readonly height: number; readonly limitInputPixels: number },
): Promise<Buffer> {
  const { maxImageBytes, minSidePx } = RekognitionLimits;
  let { width, height } = target;
  for (let tries = 1; tries <= maxTries; tries += 1) {
    const jpeg = await sharp(bytes, { failOn: 'error', limitInputPixels: target.limitInputPixels })
      .rotate()
      .resize(width, height, { fit: 'fill' })
      .flatten({ background: '#ffffff' })
      // No optimised Huffman tables: libjpeg holds every coefficient of the image to build them (a 60 MP copy
      // peaked at 464 MiB with them, 101 MiB at 100 MP without, rekognition-fit.ts). The pixels are the same;
      // the file is a little longer (a try that is then over the byte limit is made smaller, below).
      .jpeg({ quality: jpegQuality, optimiseCoding: false })
      .toBuffer();
    if (jpeg.byteLength <= maxImageBytes) return jpeg;
    const factor = Math.sqrt(maxImageBytes / jpeg.byteLength) * shrinkMargin;
    const next = { width: Math.round(width * factor), height: Math.round(height * factor) };
    if (Math.min(next.width, next.height) < minSidePx) break;
    ({ width, height } = next);
  }
  throw new UnlabelableImageError(
    `ImageTooLargeException: no JPEG copy of the image with ${minSidePx} px a side or more fits in Rekognition's ${grouped(maxImageBytes)} bytes`,
  );
}

async function metadataOf(bytes: Uint8Array): Promise<Metadata | undefined> {
  try {
    return await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch {
    return undefined;
  }
}

/**
 * The S3 object itself, or a resized JPEG of its bytes (already read, pinned
 * to the event's version). Throws UnlabelableImageError when nothing fits.
 */
export async function rekognitionImageFor(object: UploadedObject, contentType: string, bytes: Promise<Uint8Array>): Promise<RekognitionImage> {
  const original = await bytes;
  const metadata = await metadataOf(original);
  if (!metadata?.width || !metadata.height) {
    // A JPEG or PNG whose header sharp cannot read: Rekognition's own verdict, from the object, is the one to report.
    if ((RekognitionLimits.contentTypes as readonly string[]).includes(contentType)) return { S3Object: { Bucket: object.bucket, Name: object.key } };
    throw new UnlabelableImageError(`InvalidImageFormatException: the ${contentType} upload could not be decoded`);
  }
  const fit = rekognitionFit({
    width: metadata.width,
    height: metadata.height,
    orientation: metadata.orientation,
    sizeBytes: original.byteLength,
    contentType,
    format: metadata.format,
    progressive: metadata.isProgressive,
  });
  if (fit.kind === 'original') return { Bytes: original };
  if (fit.kind === 'object') return { S3Object: { Bucket: object.bucket, Name: object.key } };
  if (fit.kind === 'unfit') throw new UnlabelableImageError(fit.reason);
  try {
    return { Bytes: await jpegWithin(original, { ...fit, limitInputPixels: resizeInputPixelLimit({ format: metadata.format, progressive: metadata.isProgressive }) }) };
  } catch (error) {
    if (error instanceof UnlabelableImageError) throw error;
    throw new UnlabelableImageError(`InvalidImageFormatException: the ${contentType} upload could not be decoded to resize it (${fit.why})`, { cause: error });
  }
}
