/**
 * The labeler's image conversions, on real bytes with sharp: a WebP upload
 * becomes JPEG bytes for Rekognition (which reads JPEG and PNG only), and
 * each labelled image gets a small upright WebP thumbnail.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MediaLayout } from '../../api/media.ts';
import { UnlabelableImageError } from '../../functions/labeler/detect.ts';
import { rekognitionImageFor, webpAsJpeg } from '../../functions/labeler/rekognition-image.ts';
import { renderThumbnail } from '../../functions/labeler/thumbnail.ts';
import type { UploadedObject } from '../../functions/labeler/uploaded-object.ts';
import { fixture } from '../support/amplify-client.ts';

/** A solid image of `width` × `height`, optionally transparent, encoded by sharp. */
const solid = (width: number, height: number, alpha = 1) =>
  sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 30, alpha } } });

const object: UploadedObject = { bucket: 'labelcast-uploads', key: 'uploads/media-test', imageId: 'media-test', sizeBytes: 1, eTag: 'etag' };

describe('Function: webpAsJpeg', () => {
  it('converts a WebP to a JPEG of the same size', async () => {
    // Prepare
    const webp = await sharp(await fixture('cat.jpg')).webp().toBuffer();
    const source = await sharp(webp).metadata();

    // Act
    const jpeg = await webpAsJpeg(webp);

    // Assess
    const converted = await sharp(jpeg).metadata();
    expect([converted.format, converted.width, converted.height]).toEqual(['jpeg', source.width, source.height]);
  });

  it('puts transparent pixels on white, as JPEG has no alpha', async () => {
    const jpeg = await webpAsJpeg(await solid(16, 16, 0).webp({ lossless: true }).toBuffer());
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect(Math.min(...data)).toBeGreaterThan(245);
  });

  it('fits a large WebP inside 4096 pixels a side, never enlarging a small one', async () => {
    const large = await sharp(await webpAsJpeg(await solid(5000, 100).webp().toBuffer())).metadata();
    const small = await sharp(await webpAsJpeg(await solid(40, 30).webp().toBuffer())).metadata();
    expect([large.width, large.height]).toEqual([4096, 82]);
    expect([small.width, small.height]).toEqual([40, 30]);
  });

  it('refuses bytes that do not decode with UnlabelableImageError (permanent: no retry)', async () => {
    const broken = (await solid(64, 64).webp().toBuffer()).subarray(0, 40);
    const failure = await webpAsJpeg(broken).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnlabelableImageError);
    expect((failure as Error).message).toMatch(/^InvalidImageFormatException: the WebP upload could not be decoded/);
  });
});

describe('Function: rekognitionImageFor', () => {
  it('hands Rekognition the S3 object for JPEG and PNG, without reading the bytes', async () => {
    const unread = new Promise<Uint8Array>(() => undefined);
    for (const contentType of ['image/jpeg', 'image/png']) {
      expect(await rekognitionImageFor(object, contentType, unread)).toEqual({ S3Object: { Bucket: object.bucket, Name: object.key } });
    }
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
