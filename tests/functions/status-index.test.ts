/**
 * The sparse byStatus index (api/table.ts): an image is in it from
 * requestUpload until its push is recorded (not its terminal update: a push
 * that fails after it must still be found), so the reconciler's Query sees
 * only images that need recovery, and holds only what the reconciler reads.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitingRecovery, imageKey, ImagesTableLayout } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { pushHeld } from '../../functions/shared/image-push.ts';
import { completeImage } from '../../functions/shared/image-store.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';

let table: ImagesTable;
beforeAll(async () => {
  table = await startImagesTable();
});
afterAll(async () => {
  await table?.close();
});

/** What the reconciler's Query on byStatus returns for PENDING, as it asks (functions/reconciler/reconcile.ts). */
async function awaitingIds(): Promise<Record<string, unknown>[]> {
  const index = ImagesTableLayout.byStatusIndex;
  const { Items } = await table.store.documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index.indexName,
      KeyConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': index.partitionKey },
      ExpressionAttributeValues: { ':pending': 'PENDING' },
    }),
  );
  return Items ?? [];
}

describe('Index: byStatus', () => {
  it('holds an image from requestUpload until its push is recorded, with only what the reconciler reads', async () => {
    // Prepare
    const pending: Image = { id: 'status-1', status: 'PENDING', contentType: 'image/png', sizeBytes: 1, createdAt: '2026-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
    await table.store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(pending.id), ...pending, ...awaitingRecovery() } }));
    const entry = { ...imageKey(pending.id), ...awaitingRecovery(), id: 'status-1', createdAt: pending.createdAt, contentType: 'image/png' };
    expect(await awaitingIds()).toEqual([entry]);

    // Act
    const ended = await completeImage(table.store, { ...pending, status: 'FAILED', error: 'test', labeledAt: '2026-01-01T00:00:01.000Z' });
    const afterTerminalWrite = await awaitingIds();
    await pushHeld({ store: table.store, publisher: { publish: async () => undefined } }, ended!);

    // Assess: still there once ended (its push may yet fail), gone once pushed
    expect(afterTerminalWrite).toEqual([entry]);
    expect(await awaitingIds()).toEqual([]);
  });
});
