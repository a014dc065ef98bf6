/**
 * The label catalog's exactly-once counting (functions/shared/catalog.ts) on a
 * real dynalite: concurrent or repeated runs count an image once, and a delete
 * racing a half-finished count never leaves a count behind.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedOwner } from '../../api/owner.ts';
import { catalogKey, catalogPartition, catalogSortKey, imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { completeImage } from '../../functions/shared/image-store.ts';
import { countPendingLabels, deleteAndUncount, namesPerTransaction } from '../../functions/shared/catalog.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';

let table: ImagesTable;
let store: TableStore;

beforeAll(async () => {
  table = await startImagesTable();
  store = table.store;
});
afterAll(async () => table?.close());

const cat = { name: 'Cat', confidence: 97, parents: ['Pet', 'Animal'], aliases: ['Kitten'], categories: [], instances: [] };

async function labelledImage(id: string) {
  const pending: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2024-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
  await store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...pending } }));
  const stored = await completeImage(store, { ...pending, status: 'LABELED', labels: [cat], labeledAt: '2024-01-01T00:00:01.000Z' });
  if (!stored) throw new Error('completeImage lost');
  return stored;
}

const imageItem = async (id: string) =>
  (await store.documentClient.send(new GetCommand({ TableName: tableName, Key: imageKey(id), ConsistentRead: true }))).Item;

/** The delete function's condition, here without an owner check. */
const anyOwner = { ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: {}, ExpressionAttributeValues: {} };

const countOf = async (name: string) =>
  (await store.documentClient.send(new GetCommand({ TableName: tableName, Key: catalogKey(sharedOwner, name), ConsistentRead: true }))).Item?.imageCount;

/** The counters of the shared owner whose names start with `prefix`, by name: one Query, where a GetItem each costs ~7 ms of CPU. */
async function countsStartingWith(prefix: string): Promise<Map<string, unknown>> {
  const counts = new Map<string, unknown>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': catalogPartition(sharedOwner), ':prefix': catalogSortKey(prefix) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) counts.set(item.name as string, item.imageCount);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return counts;
}

describe('Function: countPendingLabels', () => {
  it('counts each indexed name (label, parents, alias) once however many runs race', async () => {
    // Prepare
    const stored = await labelledImage('race-1');
    expect([...(stored.catalogPending ?? [])].sort()).toEqual(['Animal', 'Cat', 'Kitten', 'Pet']);

    // Act: four deliveries of the same event counting at once
    const counted = await Promise.all(Array.from({ length: 4 }, () => countPendingLabels(store, { imageId: 'race-1', owner: sharedOwner }, stored.catalogPending!)));

    // Assess
    expect(counted.flat().sort()).toEqual(['Animal', 'Cat', 'Kitten', 'Pet']);
    for (const name of ['Cat', 'Pet', 'Animal', 'Kitten']) expect(await countOf(name), name).toBe(1);
  });

  it('a delete racing a half-finished count leaves no count behind', async () => {
    // Prepare: the labeler has counted Cat only, then the image is deleted
    const stored = await labelledImage('race-2');
    await countPendingLabels(store, { imageId: 'race-2', owner: sharedOwner }, ['Cat']);

    // Act: the deleter deletes and uncounts what was counted; the labeler resumes
    const deleted = await deleteAndUncount(store, 'race-2', sharedOwner, (await imageItem('race-2'))!, anyOwner);
    const late = await countPendingLabels(store, { imageId: 'race-2', owner: sharedOwner }, stored.catalogPending!);

    // Assess: back to what race-1 left
    expect(deleted).toBe('deleted');
    expect(late).toEqual([]);
    for (const name of ['Cat', 'Pet', 'Animal', 'Kitten']) expect(await countOf(name), name).toBe(1);
  });

  it('refuses to delete an image whose claims changed since it was read, and counts right after reading again', async () => {
    // Prepare: read while nothing is counted, then the labeler counts
    const stored = await labelledImage('race-3');
    const readBefore = (await imageItem('race-3'))!;
    await countPendingLabels(store, { imageId: 'race-3', owner: sharedOwner }, stored.catalogPending!);

    // Act
    const stale = await deleteAndUncount(store, 'race-3', sharedOwner, readBefore, anyOwner);
    const fresh = await deleteAndUncount(store, 'race-3', sharedOwner, (await imageItem('race-3'))!, anyOwner);

    // Assess: race-1's counts remain, race-3's came and went
    expect([stale, fresh]).toEqual(['changed', 'deleted']);
    for (const name of ['Cat', 'Pet', 'Animal', 'Kitten']) expect(await countOf(name), name).toBe(1);
  });

  it('counts and uncounts more names than one transaction holds, exactly once', async () => {
    // Prepare: an image indexed under two transactions' worth of names and a few more (three batches each way, the
    // last a part one; every name costs a counter write, a read and a delete)
    const many = Array.from({ length: namesPerTransaction * 2 + 5 }, (_, index) => `Many${index}`);
    await store.documentClient.send(
      new PutCommand({ TableName: tableName, Item: { ...imageKey('many'), id: 'many', status: 'LABELED', indexedLabels: many, catalogPending: new Set(many) } }),
    );

    // Act
    const counted = await countPendingLabels(store, { imageId: 'many', owner: sharedOwner }, many);
    const countsAfterCounting = await countsStartingWith('Many');
    let outcome: string = 'changed';
    for (let round = 0; outcome === 'changed' && round < 10; round += 1) {
      outcome = await deleteAndUncount(store, 'many', sharedOwner, (await imageItem('many'))!, anyOwner);
    }

    // Assess
    expect(counted.sort()).toEqual([...many].sort());
    expect(Object.fromEntries(countsAfterCounting)).toEqual(Object.fromEntries(many.map((name) => [name, 1])));
    expect(outcome).toBe('deleted');
    expect(await imageItem('many')).toBeUndefined();
    expect([...(await countsStartingWith('Many')).keys()]).toEqual([]);
  });

  it('counts and uncounts exactly while 30% of all writes are throttled', async () => {
    // Prepare: 20 images sharing names, stored before throttling starts
    const ids = Array.from({ length: 20 }, (_, index) => `throttled-${index}`);
    for (const id of ids) {
      await store.documentClient.send(
        new PutCommand({ TableName: tableName, Item: { ...imageKey(id), id, status: 'LABELED', owner: 'throttle-test', indexedLabels: ['Dog', 'Animal'], catalogPending: new Set(['Dog', 'Animal']) } }),
      );
    }
    const counterOf = async (name: string) =>
      (await store.documentClient.send(new GetCommand({ TableName: tableName, Key: catalogKey('throttle-test', name), ConsistentRead: true }))).Item?.imageCount;
    table.throttle.set({ writeShare: 0.3, seed: 14 });

    // Act: every image counted (twice, as a duplicate event would), then half of them deleted
    try {
      await Promise.all(ids.flatMap((id) => [1, 2].map(() => countPendingLabels(store, { imageId: id, owner: 'throttle-test' }, ['Dog', 'Animal']))));
      for (const id of ids.slice(0, 10)) await deleteAndUncount(store, id, 'throttle-test', (await imageItem(id))!, anyOwner);
    } finally {
      table.throttle.clear();
    }

    // Assess: writes were throttled, yet every count is exact
    expect(table.throttle.throttled).toBeGreaterThan(10);
    expect([await counterOf('Dog'), await counterOf('Animal')]).toEqual([10, 10]);
  });

  it('removes a counter that falls to zero', async () => {
    await deleteAndUncount(store, 'race-1', sharedOwner, (await imageItem('race-1'))!, anyOwner);
    expect(await countOf('Kitten')).toBeUndefined();
  });
});
