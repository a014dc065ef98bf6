/**
 * Rich search: parents and aliases are searchable, minConfidence is served by
 * the key (threshold partitions of keys-only entries), and the label catalog counts images exactly,
 * also when several are labelled at the same time.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import type { Image } from '../../../client-example/graphql/index.ts';
import { fixture, labelcastClient, configureStackAmplify } from '../../support/amplify-client.ts';
import { imageItem, isCatalogCounted } from '../../support/image-items.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';
import { untilSearchable } from '../../support/searchable.ts';

const confidenceOf = (image: Image, name: string) => image.labels.find((label) => label.name === name)?.confidence;

describe('Search: hierarchy, aliases, minConfidence', () => {
  beforeAll(() => configureStackAmplify());
  const client = labelcastClient();
  let cat: Image;

  it('finds a cat photo by its label, its parents and its alias', async () => {
    // Prepare
    cat = await client.uploadAndWait(jpegVariant(await fixture('cat.jpg')), 'cat.jpg');
    expect(cat.status).toBe('LABELED');
    const label = cat.labels.find((l) => l.name === 'Cat');
    expect(label?.aliases).toContain('Kitten');

    // Act + Assess
    await untilSearchable(client, 'Cat', cat.id);
    for (const name of ['Cat', 'Animal', 'mammal', 'PET', 'Kitten']) {
      const page = await client.imagesByLabel({ label: name, limit: 100 });
      expect(page.items.map((image) => image.id), name).toContain(cat.id);
    }
    const people = await client.imagesByLabel({ label: 'Human', limit: 100 });
    expect(people.items.map((image) => image.id)).not.toContain(cat.id);
  });

  it('applies minConfidence at, between and above the stored thresholds', async () => {
    const confidence = confidenceOf(cat, 'Cat')!;
    expect(confidence).toBeGreaterThan(60);

    const ids = async (minConfidence: number) =>
      (await client.imagesByLabel({ label: 'cat', minConfidence, limit: 100 })).items.map((image) => image.id);

    // Between thresholds (60: partition 0, filtered), just under the confidence, and just above it.
    expect(await ids(60)).toContain(cat.id);
    expect(await ids(confidence - 0.01)).toContain(cat.id);
    expect(await ids(Math.min(confidence + 0.01, 100))).not.toContain(cat.id);
    // Parents carry the child's confidence, so the same holds for "Animal".
    const animals = await client.imagesByLabel({ label: 'Animal', minConfidence: confidence + 0.01, limit: 100 });
    expect(animals.items.map((image) => image.id)).not.toContain(cat.id);
  });

  it('returns only images at or above minConfidence, newest first', async () => {
    const page = await client.imagesByLabel({ label: 'Cat', minConfidence: 75, limit: 100 });
    for (const image of page.items) expect(confidenceOf(image, 'Cat')).toBeGreaterThanOrEqual(75);
    const created = page.items.map((image) => image.createdAt);
    expect(created).toEqual([...created].sort().reverse());
  });

  it('refuses a minConfidence outside 0–100 with BadRequestException', async () => {
    await expect(client.imagesByLabel({ label: 'Cat', minConfidence: 101 })).rejects.toMatchObject({
      errors: [expect.objectContaining({ errorType: 'BadRequestException' })],
    });
  });
});

describe('Search: the label catalog', () => {
  beforeAll(() => configureStackAmplify());
  const client = labelcastClient();

  const countOf = async (prefix: string, name: string) =>
    (await client.labels({ prefix, limit: 100 })).items.find((item) => item.name === name)?.imageCount ?? 0;

  it('counts every image exactly once when several are labelled at the same time', async () => {
    // Prepare
    const before = { cat: await countOf('ca', 'Cat'), kitten: await countOf('kit', 'Kitten'), animal: await countOf('an', 'Animal') };
    const bytes = await fixture('cat.jpg');

    // Act: five distinct uploads labelled concurrently
    const images = await Promise.all(Array.from({ length: 5 }, (_, n) => client.uploadAndWait(jpegVariant(bytes), `cat-${n}.jpg`)));

    // Assess
    expect(images.every((image) => image.status === 'LABELED')).toBe(true);
    // Counts follow the push: each run claims the image's names (removing them from catalogPending), then adds 1 per
    // claimed name. Once nothing is pending on any of the five, no further count can come from them: the counts the
    // polls settle on are final. (That concurrent runs claim each name once is tests/functions/catalog.test.ts.)
    await expect.poll(async () => (await Promise.all(images.map((image) => imageItem(image.id)))).every(isCatalogCounted), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => countOf('ca', 'Cat'), { timeout: 10_000 }).toBe(before.cat + 5);
    await expect.poll(() => countOf('kit', 'Kitten'), { timeout: 10_000 }).toBe(before.kitten + 5);
    await expect.poll(() => countOf('an', 'Animal'), { timeout: 10_000 }).toBe(before.animal + 5);
  });

  it('matches prefixes case-insensitively, alphabetically, with display names', async () => {
    const page = await client.labels({ prefix: 'CA', limit: 100 });
    const names = page.items.map((item) => item.name);
    expect(names).toContain('Cat');
    expect(names.every((name) => name.toLowerCase().startsWith('ca'))).toBe(true);
    // DynamoDB orders sort keys by their UTF-8 bytes: the lower-cased names, code point by code point.
    const lower = names.map((name) => name.toLowerCase());
    expect(lower).toEqual([...lower].sort());
  });

  it('pages through the catalog with nextToken', async () => {
    const first = await client.labels({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextToken).toBeTruthy();
    const second = await client.labels({ limit: 2, nextToken: first.nextToken! });
    expect(second.items[0].name).not.toBe(first.items[1].name);
    expect(second.items[0].name.toLowerCase() > first.items[1].name.toLowerCase()).toBe(true);
  });

  it('refuses a bad limit with BadRequestException', async () => {
    await expect(client.labels({ limit: 0 })).rejects.toMatchObject({
      errors: [expect.objectContaining({ errorType: 'BadRequestException' })],
    });
  });
});
