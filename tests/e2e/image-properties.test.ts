/**
 * Image.properties end to end: with the stack's imageProperties setting off
 * (the shared e2e stack, as cdk.json ships) an uploaded image's properties are
 * null and the labeler never asks Rekognition for IMAGE_PROPERTIES; with
 * LABELCAST_IMAGE_PROPERTIES=true (a stack of its own) they are pushed on
 * onImageLabeled and served by Query.image.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagePropertiesSetting } from '../../api/image-properties-setting.ts';
import { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';
import { stackCredentials, type RunningStack } from '../../local/child-process-stack.ts';
import { adminFetch } from '../../local/iam/admin-fetch.ts';
import { signingName } from '../../local/rekognition/protocol.ts';
import { imagePropertiesRequestsStat, statsPath, type RekognitionStats } from '../../local/rekognition/stats.ts';
import { fixture, labelcastClient } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { rekognitionStats } from '../support/rekognition-stats.ts';
import { startOwnStack, stopOwnStack } from '../support/own-stack.ts';

describe('Image.properties with the setting off (the shared stack)', () => {
  it('is null, and the labeler does not request IMAGE_PROPERTIES', async () => {
    // Prepare: bytes no other test uploaded, so the labeler really calls Rekognition.
    const client = labelcastClient();
    const before = await rekognitionStats();

    // Act
    const image = await client.uploadAndWait(jpegVariant(await fixture('coffee.jpg')), 'coffee-off.jpg');
    const stored = await client.image(image.id);

    // Assess
    expect(image.status).toBe('LABELED');
    expect(image.properties).toBeNull();
    expect(stored?.properties).toBeNull();
    const after = await rekognitionStats();
    expect(after.DetectLabels).toBeGreaterThan(before.DetectLabels);
    expect(after[imagePropertiesRequestsStat]).toBe(before[imagePropertiesRequestsStat]);
  });
});

describe(`Image.properties with ${ImagePropertiesSetting.offlineVariable}=true`, () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-properties-'));
  let stack: RunningStack;
  let client: LabelcastClient;

  beforeAll(async () => {
    stack = await startOwnStack(stateDir, { [ImagePropertiesSetting.offlineVariable]: 'true' });
    client = new LabelcastClient();
  }, 180_000);

  afterAll(() => stopOwnStack(stack, stateDir));

  const statsOf = async (): Promise<RekognitionStats> => {
    const response = await adminFetch(
      new URL(statsPath, stack.rekognitionEndpoint),
      { method: 'GET' },
      { credentials: stackCredentials(stateDir), region: 'us-east-1', service: signingName },
    );
    return (await response.json()) as RekognitionStats;
  };

  it('pushes the dominant colours and quality, and Query.image serves them', async () => {
    // Prepare: an orange picture, so the dominant colour is known.
    const orange = await sharp({ create: { width: 200, height: 160, channels: 3, background: { r: 255, g: 165, b: 0 } } }).jpeg({ quality: 95 }).toBuffer();

    // Act
    const image = await client.uploadAndWait(orange, 'orange.jpg');
    const stored = await client.image(image.id);

    // Assess
    expect(image.status).toBe('LABELED');
    expect(image.properties?.dominantColors[0]).toMatchObject({ cssColor: 'orange', simplifiedColor: 'orange' });
    expect(image.properties?.dominantColors[0]?.pixelPercent).toBeGreaterThan(95);
    expect(image.properties?.quality.contrast).toBeLessThan(5);
    expect(stored?.properties).toEqual(image.properties);
    expect((await statsOf())[imagePropertiesRequestsStat]).toBeGreaterThan(0);
  });

  it('gives a photo several dominant colours, most frequent first', async () => {
    const image = await client.uploadAndWait(await fixture('cat.jpg'), 'cat.jpg');

    const colors = image.properties?.dominantColors ?? [];
    expect(colors.length).toBeGreaterThan(3);
    const shares = colors.map((color) => color.pixelPercent);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(image.properties?.quality.brightness).toBeGreaterThan(10);
    expect(image.properties?.quality.sharpness).toBeGreaterThan(10);
  });
});
