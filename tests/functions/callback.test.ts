/**
 * When a completion callback is sent (functions/shared/callback.ts and
 * ended-image.ts), on a real dynalite: after the push, `pushedAt` and the
 * search entries; once per image however many runs finish it; and never
 * failing the run, whatever the sender or the table does.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageKey } from '../../api/table.ts';
import type { Image, Label } from '../../api/types.ts';
import { completeImage, getImage, type StoredImage } from '../../functions/shared/image-store.ts';
import type { CallbackSender, DeliveryOutcome } from '../../functions/shared/callback-sender.ts';
import { CallbackAttributes, callbackUrlOf, sendCompletionCallback } from '../../functions/shared/callback.ts';
import { finishEndedImage, finishPushedImage, type EndedImageDeps } from '../../functions/shared/ended-image.ts';
import { PushAttributes, PushSettings, pushHeld } from '../../functions/shared/image-push.ts';
import { labelEntries } from '../../functions/shared/label-index.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';

let table: ImagesTable;
let store: TableStore;

beforeAll(async () => {
  table = await startImagesTable();
  store = table.store;
});
afterAll(async () => table?.close());

const logger = new Logger({ serviceName: 'callback-test', logLevel: 'SILENT' });
const hook = 'https://example.com/hook';
const cat: Label = { name: 'Cat', confidence: 99, parents: ['Animal'], aliases: [], categories: [], instances: [] };

const itemOf = async (id: string) =>
  (await store.documentClient.send(new GetCommand({ TableName: tableName, Key: imageKey(id), ConsistentRead: true }))).Item;

/** How many of the image's search entries are in the table (their keys follow from its labels). */
async function labelEntriesOf(image: Image): Promise<number> {
  let stored = 0;
  for (const { pk, sk } of labelEntries(image)) {
    const { Item } = await store.documentClient.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }));
    if (Item) stored += 1;
  }
  return stored;
}

/** An image ended as `status` at `endedAt` (so its push lease is held from then), with a callbackUrl. */
async function endedImage(id: string, status: 'LABELED' | 'FAILED', endedAt = new Date(), callbackUrl: string | null = hook): Promise<StoredImage> {
  const pending: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2024-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
  await store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...pending, ...(callbackUrl ? { callbackUrl } : {}) } }));
  const ended: Image = status === 'LABELED' ? { ...pending, status, labels: [cat], error: null, labeledAt: endedAt.toISOString() } : { ...pending, status, error: 'test', labeledAt: endedAt.toISOString() };
  const stored = await completeImage(store, ended, endedAt);
  if (!stored) throw new Error('completeImage lost');
  return stored;
}

/** A sender that records, at each delivery, what the table held for the image at that moment. */
function recordingSender(outcome: DeliveryOutcome = { delivered: true, attempts: 1, status: 200 }) {
  const deliveries: { url: string; id: string; pushedAt: unknown; entries: number }[] = [];
  const sender: CallbackSender = {
    deliver: async (url, image) => {
      const item = await itemOf(image.id);
      deliveries.push({ url, id: image.id, pushedAt: item?.[PushAttributes.pushedAt], entries: await labelEntriesOf(image) });
      return outcome;
    },
  };
  return { sender, deliveries };
}

const publisher = { publish: async () => undefined };

describe('Function: callbackUrlOf', () => {
  it('reads a stored non-empty callbackUrl only', () => {
    expect(callbackUrlOf({ callbackUrl: hook } as unknown as Image)).toBe(hook);
    expect(callbackUrlOf({ callbackUrl: '' } as unknown as Image)).toBeUndefined();
    expect(callbackUrlOf({ callbackUrl: 7 } as unknown as Image)).toBeUndefined();
    expect(callbackUrlOf({} as Image)).toBeUndefined();
  });
});

describe('Function: sendCompletionCallback', () => {
  it('sends nothing before the push is recorded', async () => {
    // Prepare: ended, lease held, not pushed yet
    const stored = await endedImage('cb-unpushed', 'FAILED');
    const { sender, deliveries } = recordingSender();

    // Act
    const outcome = await sendCompletionCallback({ store, callbacks: sender, logger }, stored);

    // Assess
    expect(outcome).toBeUndefined();
    expect(deliveries).toEqual([]);
    expect((await itemOf('cb-unpushed'))?.[CallbackAttributes.claimedAt]).toBeUndefined();
  });

  it('sends one delivery per image, however many runs finish it at once', async () => {
    // Prepare
    const stored = await endedImage('cb-once', 'FAILED');
    await pushHeld({ store, publisher }, stored);
    const { sender, deliveries } = recordingSender();

    // Act
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => sendCompletionCallback({ store, callbacks: sender, logger }, stored)));
    const later = await sendCompletionCallback({ store, callbacks: sender, logger }, stored);

    // Assess
    expect(deliveries).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome !== undefined)).toHaveLength(1);
    expect(later).toBeUndefined();
    expect((await itemOf('cb-once'))?.[CallbackAttributes.claimedAt]).toEqual(expect.any(String));
  });

  it('sends nothing for an image without a callbackUrl, or without a sender', async () => {
    // Prepare
    const plain = await endedImage('cb-plain', 'FAILED', new Date(), null);
    await pushHeld({ store, publisher }, plain);
    const withUrl = await endedImage('cb-no-sender', 'FAILED');
    await pushHeld({ store, publisher }, withUrl);
    const { sender, deliveries } = recordingSender();

    // Act
    await sendCompletionCallback({ store, callbacks: sender, logger }, plain);
    await sendCompletionCallback({ store, logger }, withUrl);

    // Assess
    expect(deliveries).toEqual([]);
    expect((await itemOf('cb-no-sender'))?.[CallbackAttributes.claimedAt]).toBeUndefined();
  });

  it('never rejects: a sender that throws, or a table that fails, is logged', async () => {
    // Prepare
    const stored = await endedImage('cb-throws', 'FAILED');
    await pushHeld({ store, publisher }, stored);
    const warnings: string[] = [];
    const watching = { warn: (message: string) => void warnings.push(message) };
    const throwing: CallbackSender = { deliver: async () => Promise.reject(new Error('boom')) };
    const broken: TableStore = { tableName, documentClient: { send: async () => Promise.reject(new Error('table down')) } as unknown as TableStore['documentClient'] };

    // Act
    const thrown = await sendCompletionCallback({ store, callbacks: throwing, logger: watching }, stored);
    const unclaimable = await sendCompletionCallback({ store: broken, callbacks: recordingSender().sender, logger: watching }, stored);

    // Assess
    expect(thrown).toBeUndefined();
    expect(unclaimable).toBeUndefined();
    expect(warnings).toEqual(['callback not sent', 'callback not sent']);
  });
});

describe('Function: finishPushedImage', () => {
  it('calls back a LABELED image after its push is recorded and its search entries are written', async () => {
    // Prepare
    const stored = await endedImage('cb-order', 'LABELED');
    await pushHeld({ store, publisher }, stored);
    const { sender, deliveries } = recordingSender();

    // Act
    await finishPushedImage({ store, publisher, logger, callbacks: sender }, stored);

    // Assess
    expect(deliveries).toEqual([{ url: hook, id: 'cb-order', pushedAt: expect.any(String), entries: expect.any(Number) }]);
    expect(deliveries[0]!.entries).toBeGreaterThan(0);
  });

  it('completes, and lets the run complete, when the receiver never answers in time', async () => {
    // Prepare
    const stored = await endedImage('cb-failing', 'LABELED');
    await pushHeld({ store, publisher }, stored);
    const { sender } = recordingSender({ delivered: false, attempts: 3, reason: 'no complete answer within 5000 ms' });

    // Act
    const finished = finishPushedImage({ store, publisher, logger, callbacks: sender }, stored);

    // Assess
    await expect(finished).resolves.toBeUndefined();
    expect(await labelEntriesOf(stored)).toBeGreaterThan(0);
  });
});

describe('Function: finishEndedImage', () => {
  it('a later run pushes an image whose holder died, then calls it back once; further runs send nothing', async () => {
    // Prepare: ended long ago, never pushed; the lease has lapsed
    const stored = await endedImage('cb-orphan', 'LABELED', new Date(Date.now() - PushSettings.leaseMs - 1000));
    const pushes: string[] = [];
    const { sender, deliveries } = recordingSender();
    const deps: EndedImageDeps = { store, logger, callbacks: sender, publisher: { publish: async (image) => void pushes.push(image.id) } };

    // Act
    await finishEndedImage(deps, stored);
    await finishEndedImage(deps, (await getImage(store, stored.id))!);

    // Assess
    expect(pushes).toEqual(['cb-orphan']);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ pushedAt: expect.any(String) });
    expect(deliveries[0]!.entries).toBeGreaterThan(0);
  });

  it('sends the callback a run that pushed and indexed never got to', async () => {
    // Prepare: pushed and indexed, then the run died before its callback
    const stored = await endedImage('cb-unsent', 'LABELED');
    await pushHeld({ store, publisher }, stored);
    await finishPushedImage({ store, publisher, logger }, stored);
    const pushes: string[] = [];
    const { sender, deliveries } = recordingSender();

    // Act: a duplicate event's run
    await finishEndedImage({ store, logger, callbacks: sender, publisher: { publish: async (image) => void pushes.push(image.id) } }, (await getImage(store, stored.id))!);

    // Assess
    expect(pushes).toEqual([]);
    expect(deliveries).toHaveLength(1);
  });
});
