/**
 * Rekognition's fixed limits end to end (issue 11, point 4): uploads the API
 * admits but Rekognition would refuse as they are, sent through the presigned
 * URL like any upload. A 12,000 × 800 panorama is labelled through a resized
 * copy and served as the original; a 60 × 60 icon is labelled through a copy
 * scaled up to 80 × 80; an image that no scale fits ends FAILED naming the
 * limit. The local Rekognition refuses what Rekognition refuses, so each of
 * these ends FAILED if the labeler sends the upload as it is.
 */
import { randomInt } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fixture, imageWithUrls, labelcastClient } from '../support/amplify-client.ts';
import { dimensionsOf } from '../support/sized-image.ts';

const client = labelcastClient();

async function upload(bytes: Buffer, contentType: string, fileName: string) {
  const ticket = await client.requestUpload({ contentType, sizeBytes: bytes.byteLength, fileName });
  const { ready, labeled } = client.watchImage(ticket.imageId, 120_000);
  await ready;
  await client.upload(ticket, bytes);
  return { imageId: ticket.imageId, image: await labeled };
}

/** A background of a colour no other test uses, so the content (and its stored result) is this test's own. */
const freshBackground = () => ({ r: randomInt(256), g: randomInt(256), b: randomInt(256) });

async function servedOriginal(imageId: string): Promise<Buffer> {
  const { url } = await imageWithUrls(imageId);
  if (!url) throw new Error(`image ${imageId} has no read URL`);
  return Buffer.from(await (await fetch(url)).arrayBuffer());
}

describe('Rekognition limits, end to end', () => {
  it('labels a 12,000 × 800 panorama and serves the original, not the resized copy', async () => {
    // Prepare: the cat photo in the middle of a wide strip.
    const cat = await sharp(await fixture('cat.jpg')).resize({ height: 800 }).toBuffer();
    const panorama = await sharp({ create: { width: 12_000, height: 800, channels: 3, background: freshBackground() } })
      .composite([{ input: cat, gravity: 'centre' }])
      .jpeg()
      .toBuffer();

    // Act
    const { imageId, image } = await upload(panorama, 'image/jpeg', 'panorama.jpg');

    // Assess
    expect(image).toMatchObject({ status: 'LABELED', error: null });
    const served = await servedOriginal(imageId);
    expect(served.equals(panorama)).toBe(true);
    expect(await dimensionsOf(served)).toMatchObject({ width: 12_000, height: 800 });
  }, 180_000);

  it('labels a 60 × 60 PNG through a copy scaled up to 80 × 80', async () => {
    const icon = await sharp({ create: { width: 60, height: 60, channels: 3, background: freshBackground() } }).png().toBuffer();

    const { image } = await upload(icon, 'image/png', 'icon.png');

    expect(image).toMatchObject({ status: 'LABELED', error: null });
  }, 180_000);

  it('fails a 12,000 × 80 strip, which no scale fits, naming the limit', async () => {
    const strip = await sharp({ create: { width: 12_000, height: 80, channels: 3, background: freshBackground() } }).png().toBuffer();

    const { image } = await upload(strip, 'image/png', 'strip.png');

    expect(image.status).toBe('FAILED');
    expect(image.error).toBe('ImageTooLargeException: image is 12000×80 px; Rekognition needs 80–10,000 px a side and its 150:1 aspect ratio cannot fit');
  }, 180_000);
});
