/**
 * The labeler's image conversions, on real bytes with sharp: a WebP upload
 * becomes JPEG bytes for Rekognition (which reads JPEG and PNG only), and
 * each labelled image gets a small upright WebP thumbnail.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MediaLayout } from '../../api/media.ts';
import { rekognitionImageFor } from '../../functions/labeler/rekognition-image.ts';
import { renderThumbnail } from '../../functions/labeler/thumbnail.ts';
import type { UploadedObject } from '../../functions/shared/uploaded-object.ts';

/** A solid image of `width` × `height`, optionally transparent, encoded by sharp. */
const solid = (width: number, height: number, alpha = 1) =>
  sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 30, alpha } } });

const object: UploadedObject = { bucket: 'labelcast-uploads', key: 'uploads/media-test', imageId: 'media-test', sizeBytes: 1, eTag: 'etag' };

// WebP → JPEG for Rekognition (alpha on white, sizes within its limits): tests/functions/rekognition-image.test.ts.
describe('Function: rekognitionImageFor', () => {
  it('hands Rekognition a small JPEG or PNG within its limits as its own bytes', async () => {
    const jpeg = await solid(120, 100).jpeg().toBuffer();
    const png = await solid(120, 100).png().toBuffer();
    expect(await rekognitionImageFor(object, 'image/jpeg', Promise.resolve(jpeg))).toEqual({ Bytes: jpeg });
    expect(await rekognitionImageFor(object, 'image/png', Promise.resolve(png))).toEqual({ Bytes: png });
  });

  it('hands Rekognition JPEG bytes for a WebP', async () => {
    const image = await rekognitionImageFor(object, 'image/webp', solid(8, 8).webp().toBuffer());
    expect(image.S3Object).toBeUndefined();
    expect((await sharp(image.Bytes!).metadata()).format).toBe('jpeg');
  });
});

describe('Function: renderThumbnail', () => {
  it('fits the image inside the thumbnail square as WebP, keeping its proportions', async () => {
    const thumbnail = await sharp(await renderThumbnail(await solid(1000, 500).png().toBuffer())).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['webp', MediaLayout.thumbnailMaxPixels, MediaLayout.thumbnailMaxPixels / 2]);
  });

  it('never enlarges a small image', async () => {
    const thumbnail = await sharp(await renderThumbnail(await solid(50, 20).jpeg().toBuffer())).metadata();
    expect([thumbnail.width, thumbnail.height]).toEqual([50, 20]);
  });

  it('turns the image upright by its EXIF orientation', async () => {
    // Prepare: 100 × 40 stored pixels, tagged "rotate 90° clockwise" (orientation 6): shown as 40 × 100
    const sideways = await solid(100, 40).jpeg().withMetadata({ orientation: 6 }).toBuffer();

    // Act
    const thumbnail = await sharp(await renderThumbnail(sideways)).metadata();

    // Assess
    expect([thumbnail.width, thumbnail.height]).toEqual([40, 100]);
  });

  it('refuses bytes that do not decode', async () => {
    await expect(renderThumbnail(Buffer.from('not an image'))).rejects.toThrow();
  });
});
