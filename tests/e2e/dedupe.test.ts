/**
 * The same bytes uploaded twice are labelled once: the second image reuses the
 * stored result by content hash. The local Rekognition's call counter proves
 * the second upload made no Rekognition call.
 */
import { describe, expect, it } from 'vitest';
import { fixture, labelcastClient } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { rekognitionStats } from '../support/rekognition-stats.ts';
import { untilSearchable } from '../support/searchable.ts';

describe('Dedupe: labels reused by content hash', () => {
  const client = labelcastClient();

  it('labels bytes seen before without calling Rekognition, and new bytes with one call each', async () => {
    // Prepare: bytes no other test uploaded (all e2e files share one stack)
    const bytes = jpegVariant(await fixture('cat.jpg'));
    const before = await rekognitionStats();

    // Act
    const first = await client.uploadAndWait(bytes, 'first.jpg');
    const afterFirst = await rekognitionStats();
    const second = await client.uploadAndWait(bytes, 'second.jpg');
    const afterSecond = await rekognitionStats();

    // Assess
    expect(first.status).toBe('LABELED');
    expect(afterFirst.DetectLabels).toBe(before.DetectLabels + 1);
    expect(afterFirst.DetectModerationLabels).toBe(before.DetectModerationLabels + 1);

    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('LABELED');
    expect(second.fileName).toBe('second.jpg');
    expect(second.labels).toEqual(first.labels);
    expect(second.moderationLabels).toEqual(first.moderationLabels);
    expect(afterSecond).toEqual(afterFirst);

    // The reused image is searchable like any other.
    await untilSearchable(client, 'Cat', second.id);
    const cats = await client.imagesByLabel({ label: 'Cat', limit: 100 });
    expect(cats.items.map((image) => image.id)).toEqual(expect.arrayContaining([first.id, second.id]));
  });

  it('still calls Rekognition for different bytes', async () => {
    const before = await rekognitionStats();

    const image = await client.uploadAndWait(jpegVariant(await fixture('cat.jpg')), 'other.jpg');

    expect(image.status).toBe('LABELED');
    const after = await rekognitionStats();
    expect(after.DetectLabels).toBe(before.DetectLabels + 1);
  });
});
