/**
 * labeling-failed's markImageFailed (functions/shared/mark-image-failed.ts)
 * on a real dynalite: a PENDING image ends FAILED with the reason and is
 * pushed once; an image that already ended is not failed again, and is pushed
 * only if the run that ended it never did.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { completeImage, getImage } from '../../functions/shared/image-store.ts';
import type { Publisher } from '../../functions/shared/appsync-publisher.ts';
import { PushDeferredError } from '../../functions/shared/errors.ts';
import { markImageFailed, type MarkFailedDeps } from '../../functions/shared/mark-image-failed.ts';
import { PushAttributes, PushSettings } from '../../functions/shared/image-push.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';

let table: ImagesTable;
let store: TableStore;

beforeAll(async () => {
  table = await startImagesTable();
  store = table.store;
});
afterAll(async () => table?.close());

const logger = new Logger({ serviceName: 'labeling-failed-test', logLevel: 'SILENT' });

function depsWith(now: () => Date = () => new Date()): MarkFailedDeps & { readonly published: Image[] } {
  const published: Image[] = [];
  const publisher: Publisher = { publish: async (image) => void published.push(image) };
  return { store, publisher, logger, now, published };
}

async function pendingImage(id: string): Promise<Image> {
  const pending: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2026-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
  await store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...pending } }));
  return pending;
}

describe('Function: markImageFailed', () => {
  it('ends a PENDING image FAILED with the reason, pushed once', async () => {
    // Prepare
    await pendingImage('mark-pending');
    const at = new Date('2026-02-03T04:05:06.000Z');
    const deps = depsWith(() => at);

    // Act
    const outcome = await markImageFailed(deps, 'mark-pending', 'Rekognition kept throttling');

    // Assess
    expect(outcome).toBe('failed');
    const stored = await getImage(store, 'mark-pending');
    expect(stored).toMatchObject({ status: 'FAILED', error: 'Rekognition kept throttling', labeledAt: at.toISOString() });
    expect(stored?.[PushAttributes.pushedAt as keyof typeof stored]).toEqual(expect.any(String));
    expect(deps.published.map((image) => [image.id, image.status, image.error])).toEqual([['mark-pending', 'FAILED', 'Rekognition kept throttling']]);
  });

  it('neither fails nor pushes again an image it already failed (a second failure record)', async () => {
    // Prepare
    await pendingImage('mark-twice');
    await markImageFailed(depsWith(), 'mark-twice', 'first reason');
    const deps = depsWith();

    // Act
    const outcome = await markImageFailed(deps, 'mark-twice', 'second reason');

    // Assess
    expect(outcome).toBe('already-terminal');
    expect(deps.published).toEqual([]);
    expect(await getImage(store, 'mark-twice')).toMatchObject({ status: 'FAILED', error: 'first reason' });
  });

  it('pushes, as it was ended, an image a labeler run ended but never pushed', async () => {
    // Prepare: LABELED by a run that died before its push; its lease has lapsed
    const pending = await pendingImage('mark-unpushed');
    const endedAt = new Date(Date.now() - PushSettings.leaseMs - 1000);
    await completeImage(store, { ...pending, status: 'LABELED', labeledAt: endedAt.toISOString() }, endedAt);
    const deps = depsWith();

    // Act
    const outcome = await markImageFailed(deps, 'mark-unpushed', 'retries exhausted');

    // Assess
    expect(outcome).toBe('already-terminal');
    expect(deps.published.map((image) => [image.id, image.status])).toEqual([['mark-unpushed', 'LABELED']]);
    expect(await getImage(store, 'mark-unpushed')).toMatchObject({ status: 'LABELED' });
  });

  it('answers unknown-image for an image that does not exist (deleted meanwhile), pushing nothing', async () => {
    const deps = depsWith();
    expect(await markImageFailed(deps, 'mark-never-existed', 'whatever')).toBe('unknown-image');
    expect(deps.published).toEqual([]);
  });

  it('neither fails nor pushes an image with too little of the invocation left to push it: it stays PENDING', async () => {
    // Prepare: less than endMarginMs left (enough for the publish alone)
    await pendingImage('mark-short-of-time');
    const deps = { ...depsWith(), remainingTimeMs: () => PushSettings.endMarginMs - 1 };

    // Act
    const run = markImageFailed(deps, 'mark-short-of-time', 'labelling failed after 3 attempts: Error');

    // Assess
    await expect(run).rejects.toBeInstanceOf(PushDeferredError);
    expect((await getImage(store, 'mark-short-of-time'))?.status).toBe('PENDING');
    expect(deps.published).toEqual([]);
  });
});
