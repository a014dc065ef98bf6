/**
 * Rekognition's fixed limits (RekognitionLimits, api/limits.ts) on the local
 * Rekognition, through the real SDK client: 80–10,000 px a side, 5,000,000
 * bytes as Image.Bytes (5,242,880 by the API model), 15,000,000 bytes from
 * S3, JPEG or PNG; each limit itself accepted, one past it refused with
 * Rekognition's error.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DetectLabelsCommand, DetectModerationLabelsCommand, type Image } from '@aws-sdk/client-rekognition';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { describeEngineTests, useLocalRekognition } from '../support/local-rekognition.ts';
import { paddedPng, plainJpeg, plainPng } from '../support/sized-image.ts';

const bucket = 'limits';
/** AWS's numbers, written out: the test is the spec, so a wrong constant in api/limits.ts fails it. */
const aws = { maxImageBytes: 5_000_000, maxS3ObjectBytes: 15_000_000 } as const;
/** What the stand-in S3 holds, by key. */
const objects = new Map<string, Buffer>();

const local = useLocalRekognition({ readObject: async (bucketName, key) => (bucketName === bucket ? objects.get(key) : undefined) });

type AwsError = Error & { $metadata?: { httpStatusCode?: number } };
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as AwsError);

const inS3 = (name: string, bytes: Buffer): Image => {
  objects.set(name, bytes);
  return { S3Object: { Bucket: bucket, Name: name } };
};
/**
 * The cat photo squeezed to `width` × `height`, as a PNG. DetectLabels on a flat colour finds nothing sure and zooms
 * out (engine/views.ts: two more detector runs, ~0.7 CPU-s); on this it runs the plain views alone. What is found
 * is not what these tests look at.
 */
const photoPng = async (width: number, height: number) =>
  sharp(await readFile(path.resolve(import.meta.dirname, '../fixtures/cat.jpg'))).resize(width, height, { fit: 'fill' }).png().toBuffer();
const labels = (image: Image) => local.client.send(new DetectLabelsCommand({ Image: image }));
const moderation = (image: Image) => local.client.send(new DetectModerationLabelsCommand({ Image: image }));

describeEngineTests('Rekognition limits: pixels a side', () => {
  it.each([
    ['79 × 200', 79, 200],
    ['200 × 79', 200, 79],
  ])('refuses %s px with InvalidParameterException, as Bytes and from S3, in both operations', async (_name, width, height) => {
    const png = await plainPng(width, height);
    for (const image of [{ Bytes: png }, inS3(`small-${width}x${height}.png`, png)]) {
      for (const call of [labels, moderation]) {
        const error = await errorOf(call(image));
        expect(error?.name).toBe('InvalidParameterException');
        expect(error?.message).toBe('Request has Invalid Parameters');
        expect(error?.$metadata?.httpStatusCode).toBe(400);
      }
    }
  });

  it('accepts 80 × 80 px', async () => {
    const png = await photoPng(80, 80);
    await expect(labels({ Bytes: png })).resolves.toHaveProperty('Labels');
    await expect(moderation(inS3('exact-min.png', png))).resolves.toHaveProperty('ModerationLabels');
  });

  it.each([
    ['10,001 × 100', 10_001, 100],
    ['100 × 10,001', 100, 10_001],
  ])('refuses %s px with ImageTooLargeException naming the dimensions', async (_name, width, height) => {
    const jpeg = await plainJpeg(width, height);
    for (const image of [{ Bytes: jpeg }, inS3(`wide-${width}x${height}.jpg`, jpeg)]) {
      for (const call of [labels, moderation]) {
        const error = await errorOf(call(image));
        expect(error?.name).toBe('ImageTooLargeException');
        expect(error?.message).toBe(`Input image dimensions ${width} x ${height} exceed maximum dimension size of 10000 pixels`);
      }
    }
  });

  it('accepts 10,000 × 100 px', async () => {
    const jpeg = await plainJpeg(10_000, 100);
    await expect(labels(inS3('exact-max.jpg', jpeg))).resolves.toHaveProperty('Labels');
    await expect(moderation({ Bytes: jpeg })).resolves.toHaveProperty('ModerationLabels');
  });
});

describeEngineTests('Rekognition limits: bytes (decimal MB, as AWS writes them)', () => {
  // The byte limits are checked before the engine, alike for both operations (operations/image-source.ts): each test
  // refuses through one and accepts through the other, DetectModerationLabels being the cheaper analysis of the two.
  it('refuses 5,000,001 bytes as Image.Bytes with ImageTooLargeException and accepts 5,000,000', async () => {
    const png = await plainPng(400, 300);
    const over = await errorOf(labels({ Bytes: paddedPng(png, aws.maxImageBytes + 1) }));
    expect(over?.name).toBe('ImageTooLargeException');
    expect(over?.message).toBe('Image size is too large.');

    await expect(moderation({ Bytes: paddedPng(png, aws.maxImageBytes) })).resolves.toHaveProperty('ModerationLabels');
  });

  it("refuses Image.Bytes past the API model's 5,242,880 with ValidationException", async () => {
    const png = await plainPng(400, 300);
    const error = await errorOf(moderation({ Bytes: paddedPng(png, 5_242_881) }));
    expect(error?.name).toBe('ValidationException');
    expect(error?.message).toBe("1 validation error detected: Value at 'image.bytes' failed to satisfy constraint: Member must have length less than or equal to 5242880");
  });

  it('refuses an S3 object of 15,000,001 bytes with ImageTooLargeException and accepts 15,000,000', async () => {
    const png = await plainPng(400, 300);
    const over = await errorOf(labels(inS3('over-15mb.png', paddedPng(png, aws.maxS3ObjectBytes + 1))));
    expect(over?.name).toBe('ImageTooLargeException');
    expect(over?.message).toBe('Image size is too large.');

    await expect(moderation(inS3('exact-15mb.png', paddedPng(png, aws.maxS3ObjectBytes)))).resolves.toHaveProperty('ModerationLabels');
  });
});

describeEngineTests('Rekognition limits: formats', () => {
  it.each([
    ['WebP', () => sharp({ create: { width: 200, height: 200, channels: 3, background: '#888' } }).webp().toBuffer()],
    ['GIF', () => sharp({ create: { width: 200, height: 200, channels: 3, background: '#888' } }).gif().toBuffer()],
  ])('refuses %s with InvalidImageFormatException', async (_name, make) => {
    const bytes = await make();
    const error = await errorOf(labels({ Bytes: bytes }));
    expect(error?.name).toBe('InvalidImageFormatException');
    expect(error?.message).toBe('Request has invalid image format');
  });
});
