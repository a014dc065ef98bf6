/**
 * Image.properties with the stack's imageProperties setting off (the shared
 * e2e stack, as cdk.json ships): an uploaded image's properties are null and
 * the labeler never asks Rekognition for IMAGE_PROPERTIES. With
 * LABELCAST_IMAGE_PROPERTIES=true: tests/e2e/isolated/image-properties.ts.
 */
import { describe, expect, it } from 'vitest';
import { imagePropertiesRequestsStat } from '../../local/rekognition/stats.ts';
import { fixture, labelcastClient } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { rekognitionStats } from '../support/rekognition-stats.ts';

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
