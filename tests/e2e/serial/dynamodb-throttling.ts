/**
 * DynamoDB throttling a share of writes, on the shared stack: with the local
 * DynamoDB's test hook answering 30% of the functions' writes as throttled
 * (ProvisionedThroughputExceededException, UnprocessedItems, a transaction's
 * ThrottlingError), every upload still ends LABELED, is found by its labels,
 * and the uploader's label catalog counts each image exactly once.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { normalizeLabel } from '../../../api/table.ts';
import type { Image } from '../../../client-example/graphql/index.ts';
import { LabelcastClient } from '../../../client-example/lib/labelcast-client.ts';
import { fixture, configureStackAmplify } from '../../support/amplify-client.ts';
import { dynamoDbUsage, stopThrottling, throttleWrites, throttlingState } from '../../support/dynamodb-hooks.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';
import { untilSearchable } from '../../support/searchable.ts';
import { mintUser, switchableTokenProvider } from '../../support/user-pool.ts';

const tokens = switchableTokenProvider();
const asUser = new LabelcastClient({ authMode: 'userPool' });

/** What the catalog should count: each image once under each name it is indexed by (labels, aliases, parents; case-insensitive). */
function expectedCounts(images: readonly Image[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const image of images) {
    const names = new Set((image.labels ?? []).flatMap((label) => [label.name, ...(label.aliases ?? []), ...(label.parents ?? [])].map(normalizeLabel)));
    for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

async function catalogCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let nextToken: string | undefined;
  do {
    const page = await asUser.labels({ limit: 100, nextToken });
    for (const item of page.items) counts[normalizeLabel(item.name)] = item.imageCount;
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  return counts;
}

describe('DynamoDB throttling: 30% of the functions\' writes throttled', () => {
  beforeAll(() => configureStackAmplify({ tokenProvider: tokens }));
  beforeAll(async () => {
    tokens.signIn(await mintUser());
  });
  afterEach(async () => {
    await stopThrottling();
  });

  it('labels every upload, makes each searchable, and counts the catalog exactly', async () => {
    // Prepare: distinct bytes (no reused results), a fresh user (an empty catalog of its own)
    const photos = await Promise.all(['cat.jpg', 'coffee.jpg', 'rocket.jpg', 'astronaut.jpg', 'cat.jpg', 'coffee.jpg'].map(async (name) => jpegVariant(await fixture(name))));
    const before = await dynamoDbUsage();
    await throttleWrites({ writeShare: 0.3, seed: 2026, scope: 'functions' });

    // Act
    const images = await Promise.all(photos.map((bytes, index) => asUser.uploadAndWait(bytes, `throttled-${index}.jpg`)));
    expect(images.map((image) => `${image.status}${image.error ? `: ${image.error}` : ''}`)).toEqual(images.map(() => 'LABELED'));
    // Search entries follow the push: wait for each image under each of its labels.
    for (const image of images) for (const label of image.labels ?? []) await untilSearchable(asUser, label.name, image.id);
    const expected = expectedCounts(images);
    await expect.poll(catalogCounts, { timeout: 30_000 }).toEqual(expected);
    const throttled = (await throttlingState()).throttledWrites - before.throttledWrites;
    await stopThrottling();

    // Assess
    expect(throttled).toBeGreaterThan(10);
    expect(Object.keys(expected).length).toBeGreaterThan(3);
    expect(await catalogCounts()).toEqual(expected);
  });
});
