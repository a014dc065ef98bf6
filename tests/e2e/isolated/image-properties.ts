/**
 * Image.properties with LABELCAST_IMAGE_PROPERTIES=true (the isolated stack's setting,
 * tests/e2e/isolated/stack.ts): they are pushed on onImageLabeled and served by Query.image. With the setting off
 * (the shared stack, as cdk.json ships): tests/e2e/image-properties.test.ts.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImagePropertiesSetting } from '../../../api/image-properties-setting.ts';
import { LabelcastClient } from '../../../client-example/lib/labelcast-client.ts';
import { imagePropertiesRequestsStat } from '../../../local/rekognition/stats.ts';
import { fixture } from '../../support/amplify-client.ts';
import { rekognitionStats } from '../../support/rekognition-stats.ts';
import { isolatedStack } from './stack.ts';

describe(`Image.properties with ${ImagePropertiesSetting.offlineVariable}=true`, () => {
  let client: LabelcastClient;

  beforeAll(() => {
    // Amplify points at the isolated stack from its start on.
    client = new LabelcastClient();
  });

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
    expect((await rekognitionStats(isolatedStack()))[imagePropertiesRequestsStat]).toBeGreaterThan(0);
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
