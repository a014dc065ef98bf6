/**
 * The sparse byStatus index (api/table.ts): an image is in it from
 * requestUpload until its push is recorded (not its terminal update: a push
 * that fails after it must still be found), so the reconciler's Query sees
 * only images that need recovery, and holds only what the reconciler reads.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitingRecovery, imageKey, ImagesTableLayout } from '../../api/table.ts';
import type { Image, Label } from '../../api/types.ts';
import { indexEndedImage, pushAndFinishHeld } from '../../functions/shared/ended-image.ts';
import { pushHeld } from '../../functions/shared/image-push.ts';
import { completeImage, type StoredImage } from '../../functions/shared/image-store.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
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

  it('holds a LABELED image with names past its push record, until its catalog claim; never without pushedAt', async () => {
    // Prepare: two labelled images; the push record of the second fails (a throttled write through every retry)
    const cat: Label = { name: 'Cat', confidence: 99, parents: [], aliases: [], categories: [], instances: [] };
    const ended: StoredImage[] = [];
    for (const id of ['status-2', 'status-3']) {
      const pending: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2026-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
      await table.store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...pending, owner: 'API_KEY', ...awaitingRecovery() } }));
      ended.push((await completeImage(table.store, { ...pending, status: 'LABELED', labels: [cat], error: null, labeledAt: '2026-01-01T00:00:01.000Z' }))!);
    }
    const failingRecord: TableStore = {
      ...table.store,
      documentClient: {
        send: async (command: object) => {
          if (command instanceof UpdateCommand && command.input.UpdateExpression?.startsWith('SET #pushedAt')) throw new Error('ProvisionedThroughputExceededException');
          return table.store.documentClient.send(command as UpdateCommand);
        },
      } as unknown as TableStore['documentClient'],
    };
    const deps = { publisher: { publish: async () => undefined }, logger: new Logger({ logLevel: 'SILENT' }) };
    const recorded = ended[0]!;
    let afterRecord: string[] = [];

    // Act
    await pushHeld({ store: table.store, ...deps }, recorded, async (record) => {
      await record;
      afterRecord = (await awaitingIds()).map((item) => item.id as string);
      await indexEndedImage({ store: table.store, ...deps }, recorded, { recorded: record });
    });
    const failed = await pushAndFinishHeld({ store: failingRecord, ...deps }, ended[1]!).catch((error: unknown) => error);

    // Assess: the first stays past its record and leaves with its claim; the second, never recorded, stays
    expect(afterRecord).toContain('status-2');
    expect(failed).toBeInstanceOf(Error);
    expect((await awaitingIds()).map((item) => item.id)).toEqual(['status-3']);
  });
});
