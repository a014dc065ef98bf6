/**
 * The label catalog's exactly-once counting (functions/shared/catalog.ts) on a
 * real dynalite: concurrent or repeated runs count an image once, and a delete
 * racing a half-finished count never leaves a count behind.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedOwner } from '../../api/owner.ts';
import { catalogKey, imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { completeImage } from '../../functions/shared/image-store.ts';
import { countedLabels, countPendingLabels, uncountLabels } from '../../functions/shared/catalog.ts';
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

const countOf = async (name: string) =>
  (await store.documentClient.send(new GetCommand({ TableName: tableName, Key: catalogKey(sharedOwner, name), ConsistentRead: true }))).Item?.imageCount;

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
    const { Attributes: deleted } = await store.documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: imageKey('race-2'), ReturnValues: 'ALL_OLD' }),
    );

    // Act: the deleter uncounts what was counted; the labeler resumes
    await uncountLabels(store, sharedOwner, countedLabels(deleted!));
    const late = await countPendingLabels(store, { imageId: 'race-2', owner: sharedOwner }, stored.catalogPending!);

    // Assess: back to what race-1 left
    expect(late).toEqual([]);
    for (const name of ['Cat', 'Pet', 'Animal', 'Kitten']) expect(await countOf(name), name).toBe(1);
  });

  it('removes a counter that falls to zero', async () => {
    await uncountLabels(store, sharedOwner, ['Kitten']);
    expect(await countOf('Kitten')).toBeUndefined();
  });
});
