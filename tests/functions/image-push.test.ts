/**
 * Pushing each terminal image once (functions/shared/image-push.ts) on a real
 * dynalite: the run that ended an image holds the push lease; later runs push
 * only what a dead holder left undone, once, however many race.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { completeImage, getImage } from '../../functions/shared/image-store.ts';
import type { Publisher } from '../../functions/shared/appsync-publisher.ts';
import { PushAttributes, PushSettings, pushHeld, pushIfUnpushed, type ImagePushDeps } from '../../functions/shared/image-push.ts';
import { PushDeferredError } from '../../functions/shared/errors.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';

let table: ImagesTable;
let store: TableStore;

beforeAll(async () => {
  table = await startImagesTable();
  store = table.store;
});
afterAll(async () => table?.close());

/** Records what it is asked to publish. */
function recordingPublisher(): Publisher & { readonly published: string[] } {
  const published: string[] = [];
  return { published, publish: async (image) => void published.push(image.id) };
}

/** A clock the test moves; sleeping moves it. */
function fakeClock(start: number) {
  let now = start;
  return { now: () => new Date(now), sleep: async (ms: number) => void (now += ms), advance: (ms: number) => void (now += ms) };
}

async function endedImage(id: string, endedAt: Date) {
  const pending: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2024-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
  await store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...pending } }));
  const stored = await completeImage(store, { ...pending, status: 'FAILED', error: 'test', labeledAt: endedAt.toISOString() }, endedAt);
  if (!stored) throw new Error('completeImage lost');
  return stored;
}

const pushedAtOf = async (id: string) =>
  (await store.documentClient.send(new GetCommand({ TableName: tableName, Key: imageKey(id), ConsistentRead: true }))).Item?.[PushAttributes.pushedAt];

describe('Function: pushHeld', () => {
  it('publishes the image and records the push', async () => {
    // Prepare
    const stored = await endedImage('push-held', new Date());
    const publisher = recordingPublisher();

    // Act
    await pushHeld({ store, publisher }, stored);

    // Assess
    expect(publisher.published).toEqual(['push-held']);
    expect(await pushedAtOf('push-held')).toEqual(expect.any(String));
  });

  it('runs the work beside the record only after the publish, and fails once both have settled', async () => {
    // Prepare: work beside the record that sees what was published, then fails
    const stored = await endedImage('push-held-alongside', new Date());
    const publisher = recordingPublisher();
    const failure = new Error('entries not written');
    let publishedBefore: string[] = [];
    const alongside = async () => {
      publishedBefore = [...publisher.published];
      throw failure;
    };

    // Act
    const outcome = pushHeld({ store, publisher }, stored, alongside);

    // Assess: the run fails with the work's error, and the push was still recorded
    await expect(outcome).rejects.toBe(failure);
    expect(publishedBefore).toEqual(['push-held-alongside']);
    expect(await pushedAtOf('push-held-alongside')).toEqual(expect.any(String));
  });
});

describe('Function: pushHeld, a holder slower than its lease', () => {
  it('publishes nothing once its lease lapsed and another run took it over and pushed', async () => {
    // Prepare: the holder ended the image, then stalled past its lease (a slow Rekognition or store, a starved CPU);
    // a later run for the same image (a duplicate delivery) found the lease lapsed, took it over and pushed
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-slow-holder', clock.now());
    clock.advance(PushSettings.leaseMs + 1);
    const publisher = recordingPublisher();
    const deps: ImagePushDeps = { store, publisher, now: clock.now, sleep: clock.sleep };
    expect(await pushIfUnpushed(deps, stored, () => getImage(store, stored.id))).toBe('pushed');

    // Act: the stalled holder goes on
    const outcome = await pushHeld(deps, stored);

    // Assess: pushed once, by the run that took over
    expect(outcome).toBe('taken-over');
    expect(publisher.published).toEqual(['push-slow-holder']);
  });

  it('publishes nothing once its lease was taken over, even before the new holder pushed', async () => {
    // Prepare: the later run has taken the lapsed lease over and is about to publish
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-slow-holder-race', clock.now());
    clock.advance(PushSettings.leaseMs + 1);
    const holder = recordingPublisher();
    const later = recordingPublisher();
    let holderOutcome: string | undefined;
    // The later run publishes once the stalled holder has had its go.
    const laterPublisher = { publish: async (image: Image) => { holderOutcome = await pushHeld({ store, publisher: holder, now: clock.now }, stored); await later.publish(image); } };

    // Act
    const outcome = await pushIfUnpushed({ store, publisher: laterPublisher, now: clock.now, sleep: clock.sleep }, stored, () => getImage(store, stored.id));

    // Assess
    expect(outcome).toBe('pushed');
    expect(holderOutcome).toBe('taken-over');
    expect(holder.published).toEqual([]);
    expect(later.published).toEqual(['push-slow-holder-race']);
  });

  it('renews a lease about to lapse before publishing, so a later run waits for it instead of pushing again', async () => {
    // Prepare: the holder is slow, not taken over, with less than the publish margin of its lease left
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-slow-renewed', clock.now());
    const held = stored[PushAttributes.leaseUntil]!;
    clock.advance(PushSettings.leaseMs - PushSettings.publishMarginMs + 1);
    const holder = recordingPublisher();
    const later = recordingPublisher();
    const waiting = new Error('the later run waits');
    let laterSaw: unknown;
    // While the holder publishes, the lease it was given lapses and a later run comes for the image.
    const slowPublisher: Publisher = {
      publish: async (image) => {
        clock.advance(PushSettings.publishMarginMs);
        expect(clock.now().getTime()).toBeGreaterThan(held);
        const sleep = async () => {
          throw waiting;
        };
        laterSaw = await pushIfUnpushed({ store, publisher: later, now: clock.now, sleep }, (await getImage(store, image.id))!, () => getImage(store, image.id)).catch(
          (error: unknown) => error,
        );
        await holder.publish(image);
      },
    };

    // Act
    const outcome = await pushHeld({ store, publisher: slowPublisher, now: clock.now }, stored);

    // Assess: the later run found a live lease and waited; the holder pushed, once
    expect(laterSaw).toBe(waiting);
    expect(outcome).toBe('pushed');
    expect(holder.published).toEqual(['push-slow-renewed']);
    expect(later.published).toEqual([]);
    expect(await pushedAtOf('push-slow-renewed')).toEqual(expect.any(String));
  });
});

describe('Function: pushHeld, a holder near its invocation timeout', () => {
  it('publishes nothing with too little of its invocation left, and the next run pushes once the lease lapses', async () => {
    // Prepare: the holder ended the image with less than the publish margin of its invocation left; Lambda
    // would kill it at its timeout, between its publish and its record
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-near-timeout', clock.now());
    const publisher = recordingPublisher();

    // Act
    const deferred = await pushHeld({ store, publisher, now: clock.now, remainingTimeMs: () => PushSettings.publishMarginMs - 1 }, stored).catch(
      (error: unknown) => error,
    );
    const next = await pushIfUnpushed({ store, publisher, now: clock.now, sleep: clock.sleep }, stored, () => getImage(store, stored.id));

    // Assess: the holder failed without publishing; the next run waited out its lease and pushed, once
    expect(deferred).toBeInstanceOf(PushDeferredError);
    expect(next).toBe('pushed');
    expect(publisher.published).toEqual(['push-near-timeout']);
    expect(clock.now().getTime()).toBeGreaterThan(stored[PushAttributes.leaseUntil]!);
  });
});

describe('Function: pushIfUnpushed', () => {
  it('pushes once, however many later runs race, an image whose holder died', async () => {
    // Prepare: ended, never pushed; the lease has lapsed
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-orphan', clock.now());
    clock.advance(PushSettings.leaseMs + 1);
    const publisher = recordingPublisher();
    const deps: ImagePushDeps = { store, publisher, now: clock.now, sleep: clock.sleep };

    // Act
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => pushIfUnpushed(deps, stored, () => getImage(store, stored.id))));

    // Assess
    expect(publisher.published).toEqual(['push-orphan']);
    expect(outcomes.filter((outcome) => outcome === 'pushed')).toHaveLength(1);
    expect(await pushedAtOf('push-orphan')).toEqual(expect.any(String));
  });

  it('waits out a live lease and publishes nothing when its holder finishes', async () => {
    // Prepare: the holder is publishing right now
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-live', clock.now());
    const holder = recordingPublisher();
    const later = recordingPublisher();
    let waited = 0;
    const deps: ImagePushDeps = {
      store,
      publisher: later,
      now: clock.now,
      // The holder finishes while the later run waits.
      sleep: async (ms) => {
        waited += ms;
        clock.advance(ms);
        await pushHeld({ store, publisher: holder }, stored);
      },
    };

    // Act
    const outcome = await pushIfUnpushed(deps, stored, () => getImage(store, stored.id));

    // Assess
    expect(outcome).toBe('already-pushed');
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThanOrEqual(PushSettings.leaseMs + 1);
    expect(holder.published).toEqual(['push-live']);
    expect(later.published).toEqual([]);
  });

  it('takes over a live lease whose holder never finishes, once it lapses', async () => {
    // Prepare: ended 29 s ago, its lease live for 1 s more (a run rereads the image every 250 ms while it waits:
    // a whole lease would be 120 rereads)
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-stuck', new Date(clock.now().getTime() - PushSettings.leaseMs + 1_000));
    const leaseUntil = stored[PushAttributes.leaseUntil]!;
    expect(leaseUntil).toBeGreaterThan(clock.now().getTime());
    const publisher = recordingPublisher();

    // Act
    const outcome = await pushIfUnpushed({ store, publisher, now: clock.now, sleep: clock.sleep }, stored, () => getImage(store, stored.id));

    // Assess: pushed once the lease lapsed, not before
    expect(outcome).toBe('pushed');
    expect(publisher.published).toEqual(['push-stuck']);
    expect(clock.now().getTime()).toBeGreaterThan(leaseUntil);
  });

  it('neither waits out a live lease nor publishes with too little of its invocation left to push after it', async () => {
    // Prepare: the holder's lease has leaseMs left; the later run has 1 ms less than that plus the publish margin
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-live-short', clock.now());
    const publisher = recordingPublisher();
    let waited = 0;
    const deps: ImagePushDeps = {
      store,
      publisher,
      now: clock.now,
      sleep: async (ms) => void ((waited += ms), clock.advance(ms)),
      remainingTimeMs: () => PushSettings.leaseMs + PushSettings.publishMarginMs - 1,
    };

    // Act
    const run = pushIfUnpushed(deps, stored, () => getImage(store, stored.id));

    // Assess: deferred at once; the holder's lease untouched
    await expect(run).rejects.toBeInstanceOf(PushDeferredError);
    expect(waited).toBe(0);
    expect(publisher.published).toEqual([]);
    expect((await getImage(store, stored.id))?.[PushAttributes.leaseUntil as keyof Image]).toBe(stored[PushAttributes.leaseUntil]);
  });

  it('does not take over a lapsed lease with too little of its invocation left to publish, so other runs may', async () => {
    // Prepare: the lease has lapsed; the run has 1 ms less than the publish margin left
    const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const stored = await endedImage('push-lapsed-short', clock.now());
    clock.advance(PushSettings.leaseMs + 1);
    const publisher = recordingPublisher();
    const deps: ImagePushDeps = { store, publisher, now: clock.now, sleep: clock.sleep, remainingTimeMs: () => PushSettings.publishMarginMs - 1 };

    // Act
    const run = pushIfUnpushed(deps, stored, () => getImage(store, stored.id));

    // Assess: the lapsed lease is left as it was, for the next run to take over
    await expect(run).rejects.toBeInstanceOf(PushDeferredError);
    expect(publisher.published).toEqual([]);
    expect((await getImage(store, stored.id))?.[PushAttributes.leaseUntil as keyof Image]).toBe(stored[PushAttributes.leaseUntil]);
  });

  it('counts an image ended before push leases existed as pushed', async () => {
    // Prepare: terminal, with neither pushLeaseUntil nor pushedAt
    const legacy: Image = { id: 'push-legacy', status: 'LABELED', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2024-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
    await store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(legacy.id), ...legacy } }));
    const publisher = recordingPublisher();

    // Act
    const outcome = await pushIfUnpushed({ store, publisher }, legacy, () => getImage(store, legacy.id));

    // Assess
    expect(outcome).toBe('already-pushed');
    expect(publisher.published).toEqual([]);
  });

  it('leaves a PENDING image alone', async () => {
    const pending: Image = { id: 'push-pending', status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2024-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
    const publisher = recordingPublisher();
    expect(await pushIfUnpushed({ store, publisher }, pending, async () => pending)).toBe('already-pushed');
    expect(publisher.published).toEqual([]);
  });
});
