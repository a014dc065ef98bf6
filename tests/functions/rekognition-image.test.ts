/**
 * The labeler sends Rekognition only what its fixed limits admit
 * (functions/labeler/rekognition-image.ts, rekognition-fit.ts): an upload
 * within them as its own bytes (small) or the S3 object, any other as a resized JPEG within
 * 5,000,000 bytes, and what no copy can fit as an UnlabelableImageError
 * naming the limit. A Rekognition stand-in refuses, as Rekognition does,
 * anything outside the limits, so "labelled" here means "accepted".
 */
import { DetectLabelsCommand, DetectModerationLabelsCommand, type Image, type RekognitionClient } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { UploadLimits } from '../../api/limits.ts';
import { detect } from '../../functions/labeler/detect.ts';
import { UnlabelableImageError } from '../../functions/shared/errors.ts';
import { inlineOriginalMaxBytes, rekognitionFit } from '../../functions/labeler/rekognition-fit.ts';
import { jpegWithin, rekognitionImageFor } from '../../functions/labeler/rekognition-image.ts';
import type { UploadedObject } from '../../functions/shared/uploaded-object.ts';
import { dimensionsOf, noisePng, plainJpeg, plainPng } from '../support/sized-image.ts';

/** Rekognition's documented limits, written out: the test is the spec, so a wrong constant in api/limits.ts fails it. */
const RekognitionLimits = { minSidePx: 80, maxSidePx: 10_000, maxImageBytes: 5_000_000, maxS3ObjectBytes: 15_000_000 } as const;

const object = (sizeBytes: number): UploadedObject => ({ bucket: 'uploads-bucket', key: 'uploads/img-1', imageId: 'img-1', sizeBytes });

/** A Rekognition that checks each image against its limits, and sees a cat in what it accepts. */
function limitedRekognition() {
  const seen: { readonly width: number; readonly height: number; readonly bytes: number; readonly format: string }[] = [];
  const refuse = (name: string) => Object.assign(new Error(name), { name });
  const client = {
    send: async (command: DetectLabelsCommand | DetectModerationLabelsCommand) => {
      const image = command.input.Image as Image;
      if (!image.Bytes) throw new Error('the stand-in reads only Image.Bytes');
      const { width, height, format } = await dimensionsOf(image.Bytes);
      seen.push({ width, height, bytes: image.Bytes.byteLength, format });
      if (image.Bytes.byteLength > RekognitionLimits.maxImageBytes) throw refuse('ImageTooLargeException');
      if (format !== 'jpeg' && format !== 'png') throw refuse('InvalidImageFormatException');
      if (Math.max(width, height) > RekognitionLimits.maxSidePx) throw refuse('ImageTooLargeException');
      if (Math.min(width, height) < RekognitionLimits.minSidePx) throw refuse('InvalidParameterException');
      if (command instanceof DetectLabelsCommand) return { Labels: [{ Name: 'Cat', Confidence: 99, Instances: [{ Confidence: 99, BoundingBox: { Left: 0.1, Top: 0.2, Width: 0.3, Height: 0.4 } }] }] };
      return { ModerationLabels: [] };
    },
  };
  return { rekognition: client as unknown as RekognitionClient, seen };
}

async function imageFor(bytes: Buffer, contentType = 'image/png'): Promise<Image> {
  return rekognitionImageFor(object(bytes.byteLength), contentType, Promise.resolve(bytes));
}

describe('Function: rekognitionImageFor', () => {
  it('hands Rekognition a small upload within every limit as its own bytes, at the limits themselves', async () => {
    for (const [width, height] of [
      [80, 80],
      [10_000, 80],
      [640, 480],
    ] as const) {
      const upload = await plainJpeg(width, height);
      expect(upload.byteLength).toBeLessThanOrEqual(inlineOriginalMaxBytes);
      expect(await imageFor(upload, 'image/jpeg')).toEqual({ Bytes: upload });
    }
  });

  it('hands Rekognition the S3 object when a larger upload is within every limit', async () => {
    const upload = await noisePng(400, 400);
    expect(upload.byteLength).toBeGreaterThan(inlineOriginalMaxBytes);
    expect(await imageFor(upload)).toEqual({ S3Object: { Bucket: 'uploads-bucket', Name: 'uploads/img-1' } });
  });

  it('labels a 12,000 × 800 panorama through a copy resized to 10,000 × 667, boxes as ratios', async () => {
    // Prepare
    const panorama = await plainJpeg(12_000, 800);
    const { rekognition, seen } = limitedRekognition();

    // Act
    const image = await imageFor(panorama, 'image/jpeg');
    const detection = await detect(rekognition, image);

    // Assess
    expect(image.S3Object).toBeUndefined();
    expect(seen[0]).toMatchObject({ width: 10_000, height: 667, format: 'jpeg' });
    expect(detection.labels[0]?.instances[0]?.boundingBox).toEqual({ left: 0.1, top: 0.2, width: 0.3, height: 0.4 });
  });

  it('sends a 15.5 MB upload (over 15,000,000 from S3) as a JPEG within 5,000,000 bytes', async () => {
    // Prepare: random pixels, so even the JPEG is large and the copy must shrink.
    const upload = await noisePng(2_270, 2_270);
    expect(upload.byteLength).toBeGreaterThan(RekognitionLimits.maxS3ObjectBytes);
    expect(upload.byteLength).toBeLessThanOrEqual(UploadLimits.maxSizeBytes);
    const { rekognition, seen } = limitedRekognition();

    // Act
    const image = await imageFor(upload);
    const detection = await detect(rekognition, image);

    // Assess
    expect(image.Bytes?.byteLength).toBeLessThanOrEqual(RekognitionLimits.maxImageBytes);
    expect(detection.labels.map((label) => label.name)).toEqual(['Cat']);
    expect(seen[0]?.format).toBe('jpeg');
    expect(seen[0]?.width).toBe(seen[0]?.height);
    expect(seen[0]?.width).toBeGreaterThanOrEqual(RekognitionLimits.minSidePx);
  });

  it('scales a 60 × 60 image up to 80 × 80 rather than failing it', async () => {
    const { rekognition, seen } = limitedRekognition();

    const image = await imageFor(await plainPng(60, 60));
    await detect(rekognition, image);

    expect(seen[0]).toMatchObject({ width: 80, height: 80, format: 'jpeg' });
  });

  it('keeps the aspect ratio when scaling up a 40 × 100 image to 80 × 200', async () => {
    const { rekognition, seen } = limitedRekognition();
    await detect(rekognition, await imageFor(await plainPng(40, 100)));
    expect(seen[0]).toMatchObject({ width: 80, height: 200 });
  });

  it('converts a WebP within the pixel limits to a JPEG of the same size', async () => {
    const sharp = (await import('sharp')).default;
    const webp = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#468' } }).webp().toBuffer();
    const { rekognition, seen } = limitedRekognition();
    await detect(rekognition, await imageFor(webp, 'image/webp'));
    expect(seen[0]).toMatchObject({ width: 300, height: 200, format: 'jpeg' });
  });

  it.each([
    ['12,000 × 80', 12_000, 80, /^ImageTooLargeException: image is 12000×80 px; Rekognition needs 80–10,000 px a side and its 150:1 aspect ratio cannot fit$/],
    ['30 × 4,000', 30, 4_000, /^InvalidParameterException: image is 30×4000 px; Rekognition needs 80–10,000 px a side and its 133:1 aspect ratio cannot fit$/],
  ])('fails a %s image, which no scale fits, naming the limit', async (_name, width, height, reason) => {
    const error = await imageFor(await plainPng(width, height)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(UnlabelableImageError);
    expect((error as Error).message).toMatch(reason);
  });
});

describe('Function: jpegWithin', () => {
  it('makes the copy smaller, aspect kept, when no quality fits it in 5,000,000 bytes at full size', async () => {
    // Random pixels make ~0.63 bytes a pixel as a JPEG: ~6.2 MB at 3,840 × 2,560.
    const noise = await noisePng(3_840, 2_560);

    const jpeg = await jpegWithin(noise, { width: 3_840, height: 2_560, limitInputPixels: 100_000_000 });

    expect(jpeg.byteLength).toBeLessThanOrEqual(RekognitionLimits.maxImageBytes);
    const { width, height } = await dimensionsOf(jpeg);
    expect(width).toBeLessThan(3_840);
    expect(Math.abs(width / height - 1.5)).toBeLessThan(0.01);
  });
});

describe('Function: rekognitionFit', () => {
  it('resizes by the oriented dimensions (EXIF 6 swaps them)', () => {
    expect(rekognitionFit({ width: 12_000, height: 800, orientation: 6, sizeBytes: 1_000, contentType: 'image/jpeg' })).toMatchObject({
      kind: 'bytes',
      width: 667,
      height: 10_000,
    });
  });

  it('sends an upload within the limits as its own bytes up to 256 KiB and as the object past it', () => {
    const facts = { width: 640, height: 480, contentType: 'image/jpeg' };
    expect(inlineOriginalMaxBytes).toBe(262_144);
    expect(rekognitionFit({ ...facts, sizeBytes: 262_144 })).toEqual({ kind: 'original' });
    expect(rekognitionFit({ ...facts, sizeBytes: 262_145 })).toEqual({ kind: 'object' });
  });

  it('sends bytes for an object of 15,000,001 bytes and the object at 15,000,000', () => {
    const facts = { width: 4_000, height: 3_000, contentType: 'image/png' };
    expect(rekognitionFit({ ...facts, sizeBytes: 15_000_000 })).toEqual({ kind: 'object' });
    expect(rekognitionFit({ ...facts, sizeBytes: 15_000_001 })).toMatchObject({ kind: 'bytes', width: 4_000, height: 3_000 });
  });

  it('resizes up to the pixel limit of the bytes\' decoder and fails one pixel row past it, naming the limit', () => {
    const at = (format: string, width: number, height: number, progressive?: boolean) =>
      rekognitionFit({ width, height, sizeBytes: 100_000, contentType: `image/${format}`, format, ...(progressive === undefined ? {} : { progressive }) });
    // 6,000 × 5,000 is 30,000,000: a WebP's limit, which libwebp decodes whole.
    expect(at('webp', 6_000, 5_000)).toMatchObject({ kind: 'bytes', width: 6_000, height: 5_000 });
    expect(at('webp', 6_000, 5_001)).toEqual({
      kind: 'unfit',
      reason: 'ImageTooLargeException: image is 6000×5001 px (30,006,000 pixels); at most 30,000,000 pixels of a WebP are resized to fit Rekognition (image/webp is not JPEG or PNG)',
    });
    expect(at('webp', 9_999, 9_999)).toMatchObject({ kind: 'unfit', reason: expect.stringMatching(/^ImageTooLargeException: image is 9999×9999 px \(99,980,001 pixels\); at most 30,000,000 pixels of a WebP/) });
    // A progressive JPEG over 10,000 px a side: 40,000,000 pixels.
    expect(at('jpeg', 10_500, 3_800, true)).toMatchObject({ kind: 'bytes', width: 10_000 });
    expect(at('jpeg', 10_500, 3_810, true)).toMatchObject({ kind: 'unfit', reason: expect.stringContaining('at most 40,000,000 pixels of a progressive JPEG') });
    // Baseline JPEG and PNG stream through the resize: 100,000,000 pixels, the 12,000 × 8,000 panorama within.
    expect(at('jpeg', 12_000, 8_000, false)).toMatchObject({ kind: 'bytes', width: 10_000, height: 6_667 });
    expect(at('jpeg', 12_500, 8_000, false)).toMatchObject({ kind: 'bytes', width: 10_000, height: 6_400 });
    expect(at('jpeg', 12_500, 8_001, false)).toMatchObject({ kind: 'unfit', reason: expect.stringContaining('at most 100,000,000 pixels of a JPEG') });
    expect(at('png', 12_500, 8_001)).toMatchObject({ kind: 'unfit', reason: expect.stringContaining('at most 100,000,000 pixels of a PNG') });
    // An interlaced PNG (sharp: progressive) is decoded whole: the WebP's 30,000,000.
    expect(at('png', 12_000, 2_500, true)).toMatchObject({ kind: 'bytes', width: 10_000 });
    expect(at('png', 12_000, 2_501, true)).toMatchObject({ kind: 'unfit', reason: expect.stringContaining('at most 30,000,000 pixels of an interlaced PNG') });
    // A decoder not measured gets the strictest limit.
    expect(rekognitionFit({ width: 6_000, height: 5_001, sizeBytes: 100_000, contentType: 'image/webp' })).toMatchObject({ kind: 'unfit' });
  });

  it('reads the decoder from the bytes: a progressive JPEG and an interlaced PNG over their limits are refused before decoding', async () => {
    const progressiveJpeg = await sharp({ create: { width: 10_500, height: 3_810, channels: 3, background: '#3a6' } }).jpeg({ progressive: true }).toBuffer();
    const interlacedPng = await sharp({ create: { width: 12_000, height: 2_501, channels: 4, background: '#3a6f' } }).png({ progressive: true }).toBuffer();
    await expect(imageFor(progressiveJpeg, 'image/jpeg')).rejects.toThrow('at most 40,000,000 pixels of a progressive JPEG');
    await expect(imageFor(interlacedPng, 'image/png')).rejects.toThrow('at most 30,000,000 pixels of an interlaced PNG');
  });

  it('fails a decompression bomb before decoding it', () => {
    expect(rekognitionFit({ width: 20_000, height: 20_000, sizeBytes: 100_000, contentType: 'image/png' })).toMatchObject({
      kind: 'unfit',
      reason: expect.stringMatching(/^ImageTooLargeException: image is 20000×20000 px \(400,000,000 pixels\)/),
    });
  });
});
