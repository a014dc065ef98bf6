/**
 * The reconciler's runs (functions/reconciler/reconcile.ts) on a real
 * dynalite with the images table's byStatus index, and an S3 that answers
 * HeadObject as AWS does: 404 for a missing key (the role has s3:ListBucket),
 * or an error the test picks for one key.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CopyObjectCommand, HeadObjectCommand, NotFound, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { uploadKeyFor } from '../../api/media.ts';
import { awaitingRecovery, catalogKey, imageKey, ImagesTableLayout } from '../../api/table.ts';
import { sharedOwner } from '../../api/owner.ts';
import type { Image, Label } from '../../api/types.ts';
import type { CallbackSender } from '../../functions/shared/callback-sender.ts';
import { CatalogAttributes } from '../../functions/shared/catalog.ts';
import { labelEntries } from '../../functions/shared/label-index.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import type { Publisher } from '../../functions/shared/appsync-publisher.ts';
import { expiredTicketReason, reconcile, ReconcileSettings, type ReconcileDeps } from '../../functions/reconciler/reconcile.ts';
import { maxQueuedEventAgeSeconds } from '../../api/labeling-queue.ts';
import { PushSettings } from '../../functions/shared/image-push.ts';
import { completeImage } from '../../functions/shared/image-store.ts';
import { reconcileOptionsOf } from '../../functions/reconciler/reconcile-event.ts';
import { fileTimeLagMs, nextWholeSecond, startupReconcileEvent } from '../../local/reconcile-at-start.ts';
import { startImagesTable, type ImagesTable } from './images-table.ts';

const bucket = 'labelcast-uploads';
const now = new Date('2030-01-01T12:00:00.000Z');
/** Long enough ago that every upload URL has expired and every re-drive is due. */
const hourAgo = (minutes: number) => new Date(now.getTime() - 60 * 60_000 - minutes * 60_000).toISOString();

let table: ImagesTable;
let run = 0;

beforeAll(async () => {
  table = await startImagesTable();
});
afterAll(async () => table?.close());
// Each test has its own ids, and its images are older than every earlier test's: only its own are PENDING.
beforeEach(() => void (run += 1));

/**
 * S3 with some objects present, written long ago unless `writtenAt` says when; HeadObject of a missing key is 404;
 * `failing` keys answer the given error. With `clock`, a CopyObject writes the object again at its time, as S3
 * dates a copy (a fresh LastModified); without it, a copy leaves LastModified as it was.
 */
function fakeS3(present: readonly string[], failing: ReadonlyMap<string, Error> = new Map(), writtenAt: ReadonlyMap<string, Date> = new Map(), clock?: () => Date) {
  const sent: { readonly command: string; readonly key: string }[] = [];
  const written = new Map(writtenAt);
  const client = {
    send: async (command: HeadObjectCommand | CopyObjectCommand) => {
      const key = command.input.Key ?? '';
      sent.push({ command: command.constructor.name, key });
      const failure = failing.get(key);
      if (failure) throw failure;
      if (command instanceof HeadObjectCommand && !present.includes(key)) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
      if (command instanceof CopyObjectCommand && clock) written.set(key, clock());
      // LastModified as S3 gives it: whole seconds.
      return command instanceof HeadObjectCommand ? { LastModified: new Date(Math.floor((written.get(key) ?? new Date(0)).getTime() / 1000) * 1000) } : {};
    },
  };
  return { sent, client: client as unknown as S3Client };
}

const forbidden = () =>
  new S3ServiceException({ name: 'Forbidden', $fault: 'client', message: 'Forbidden', $metadata: { httpStatusCode: 403 } });

function recordingPublisher(failFor: readonly string[] = []): Publisher & { readonly published: string[] } {
  const published: string[] = [];
  return {
    published,
    publish: async (image) => {
      if (failFor.includes(image.id)) throw new Error(`publish of ${image.id} failed`);
      published.push(image.id);
    },
  };
}

/** The PENDING image `id` created at `createdAt`, as requestUpload records it: keyed in the sparse byStatus index. */
async function putPending(id: string, createdAt: string): Promise<string> {
  const image: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt, labels: [], moderationLabels: [] };
  await table.store.documentClient.send(new PutCommand({ TableName: table.store.tableName, Item: { ...imageKey(id), ...image, ...awaitingRecovery() } }));
  return id;
}

/** A PENDING image created `minutesBefore` minutes before the others of this test's run. */
function pendingImage(name: string, minutesBefore: number): Promise<string> {
  // Later runs are older still, so an earlier test's leftovers never sort before this test's images.
  return putPending(`run${run}-${name}`, hourAgo(run * 1000 + minutesBefore));
}

/** The table's item under `key`, read consistently. */
const itemAt = async (key: Record<string, unknown>) =>
  (await table.store.documentClient.send(new GetCommand({ TableName: table.store.tableName, Key: key, ConsistentRead: true }))).Item;

const statusOf = async (id: string) => (await itemAt(imageKey(id)))?.status;

const silentLogger = () => new Logger({ serviceName: 'reconciler-test', logLevel: 'SILENT' });

/** A silent logger, and a spy on what it logs as errors. */
function spiedLogger() {
  const logger = silentLogger();
  return { logger, errors: vi.spyOn(logger, 'error') };
}

/** The reconciler's deps on the test table: `publisher`, and `s3` (by default an S3 that holds no upload). */
function depsWith(publisher: Publisher, s3: S3Client = fakeS3([]).client): ReconcileDeps {
  return { store: table.store, s3, bucket, publisher, logger: silentLogger() };
}

/** The first millisecond at which a push lease taken at `from` has lapsed. */
const pastLease = (from: Date) => new Date(from.getTime() + PushSettings.leaseMs + 1);

/** A clock past every push lease taken so far (by a test's run, on the real clock). */
const pastEveryLease = () => new Date(Date.now() + PushSettings.leaseMs + 60_000);

/** Ends and pushes every image left on byStatus by earlier tests, so each test sees only its own. */
async function drain(): Promise<void> {
  await reconcile({ ...depsWith(recordingPublisher()), now: pastEveryLease }, { now });
}

/** Whether the image is still on byStatus: the reconciler's Query would find it. */
const onStatusIndex = async (id: string) => (await itemAt(imageKey(id)))?.[ImagesTableLayout.byStatusIndex.partitionKey] !== undefined;

describe('Function: reconcile', () => {
  beforeEach(drain);

  it('re-drives an uploaded image and fails an expired ticket, asking S3 once each', async () => {
    // Prepare
    const uploaded = await pendingImage('uploaded', 2);
    const ticket = await pendingImage('ticket', 1);
    const s3 = fakeS3([uploadKeyFor(uploaded)]);
    const publisher = recordingPublisher();

    // Act
    const summary = await reconcile(depsWith(publisher, s3.client), { now });

    // Assess
    expect(summary).toEqual({ pending: 2, redriven: 1, expired: 1, waiting: 0, queued: 0, deferred: 0, unexamined: 0, pushed: 0, finished: 0, pushing: 0, dropped: 0, errors: 0 });
    expect(s3.sent.filter((call) => call.command === 'CopyObjectCommand').map((call) => call.key)).toEqual([uploadKeyFor(uploaded)]);
    expect(publisher.published).toEqual([ticket]);
    expect(await statusOf(ticket)).toBe('FAILED');
  });


  it('never re-drives an upload whose event may still be in the labelling queue, and re-drives it once that window has passed', async () => {
    // Prepare: uploaded 30 minutes ago, well inside the queue's retention (api/labeling-queue.ts)
    const uploadedAt = new Date(now.getTime() - 30 * 60_000);
    const id = await putPending(`run${run}-queued`, new Date(uploadedAt.getTime() - 60_000).toISOString());
    const s3 = fakeS3([uploadKeyFor(id)], new Map(), new Map([[uploadKeyFor(id), uploadedAt]]));
    const copies = () => s3.sent.filter((call) => call.command === 'CopyObjectCommand').map((call) => call.key);

    // Act
    const now30 = await reconcile(depsWith(recordingPublisher(), s3.client), { now });
    const copiesWhileQueued = copies();
    const afterWindow = new Date(uploadedAt.getTime() + ReconcileSettings.redriveAfterSeconds * 1000 + 1000);
    const later = await reconcile(depsWith(recordingPublisher(), s3.client), { now: afterWindow });

    // Assess
    expect(now30).toMatchObject({ queued: 1, redriven: 0, expired: 0, errors: 0 });
    expect(copiesWhileQueued).toEqual([]);
    expect(ReconcileSettings.redriveAfterSeconds).toBeGreaterThan(maxQueuedEventAgeSeconds());
    expect(later).toMatchObject({ queued: 0, redriven: 1, errors: 0 });
    expect(copies()).toEqual([uploadKeyFor(id)]);
    expect(await statusOf(id)).toBe('PENDING');
  });

  it("does not re-drive again an image it re-drove while the copy's event may be queued, and does once it is surely gone", async () => {
    // Prepare: created and uploaded long ago, its event lost; S3 dates the re-drive's copy at the run's time.
    const id = await pendingImage('redriven', 1);
    let clock = now;
    const s3 = fakeS3([uploadKeyFor(id)], new Map(), new Map(), () => clock);
    const copies = () => s3.sent.filter((call) => call.command === 'CopyObjectCommand').length;
    const runAt = async (at: Date) => {
      clock = at;
      const summary = await reconcile(depsWith(recordingPublisher(), s3.client), { now: at });
      return { ...summary, copies: copies() };
    };

    // Act: the re-drive, the schedule's next run 5 minutes on (the copy's event waits in a backlog), and a run once
    // that event can no longer be queued
    const first = await runAt(now);
    const next = await runAt(new Date(now.getTime() + 5 * 60_000));
    const gone = await runAt(new Date(now.getTime() + ReconcileSettings.redriveAfterSeconds * 1000 + 1000));

    // Assess
    expect(first).toMatchObject({ pending: 1, redriven: 1, queued: 0, copies: 1 });
    expect(next).toMatchObject({ pending: 1, redriven: 0, queued: 1, copies: 1, errors: 0 });
    expect(gone).toMatchObject({ pending: 1, redriven: 1, queued: 0, copies: 2, errors: 0 });
    expect(await statusOf(id)).toBe('PENDING');
  });

  it('logs and counts an image whose HeadObject fails (a 403), and goes on with the others', async () => {
    // Prepare: the oldest image's HeadObject is refused, as on a role without s3:ListBucket.
    const refused = await pendingImage('refused', 3);
    const uploaded = await pendingImage('uploaded', 2);
    const ticket = await pendingImage('ticket', 1);
    const s3 = fakeS3([uploadKeyFor(uploaded)], new Map([[uploadKeyFor(refused), forbidden()]]));
    const publisher = recordingPublisher();

    // Act
    const summary = await reconcile(depsWith(publisher, s3.client), { now });

    // Assess
    expect(summary).toMatchObject({ pending: 3, redriven: 1, expired: 1, errors: 1 });
    expect(await statusOf(refused)).toBe('PENDING');
    expect(await statusOf(ticket)).toBe('FAILED');
    expect(publisher.published).toEqual([ticket]);
  });

  it('goes on after a re-drive or a ticket failure throws', async () => {
    // Prepare
    const copyFails = await pendingImage('copy-fails', 4);
    const uploaded = await pendingImage('uploaded', 3);
    const pushFails = await pendingImage('push-fails', 2);
    const ticket = await pendingImage('ticket', 1);
    const s3 = fakeS3([uploadKeyFor(copyFails), uploadKeyFor(uploaded)]);
    const failingCopy = {
      send: async (command: HeadObjectCommand | CopyObjectCommand) => {
        if (command instanceof CopyObjectCommand && command.input.Key === uploadKeyFor(copyFails)) throw new Error('SlowDown');
        return s3.client.send(command as HeadObjectCommand);
      },
    } as unknown as S3Client;
    const publisher = recordingPublisher([pushFails]);

    // Act
    const summary = await reconcile(depsWith(publisher, failingCopy), { now });

    // Assess
    expect(summary).toMatchObject({ pending: 4, redriven: 1, expired: 1, errors: 2 });
    expect(publisher.published).toEqual([ticket]);
    expect(await statusOf(ticket)).toBe('FAILED');
  });

  it('re-drives an uploaded image behind more expired tickets than a run may fail', async () => {
    // Prepare: five never-uploaded tickets, all older than the one uploaded image; a run may fail two.
    const tickets = [];
    for (let minutes = 10; minutes > 5; minutes -= 1) tickets.push(await pendingImage(`ticket-${minutes}`, minutes));
    const uploaded = await pendingImage('uploaded', 1);
    const s3 = fakeS3([uploadKeyFor(uploaded)]);
    const publisher = recordingPublisher();

    // Act
    const first = await reconcile(depsWith(publisher, s3.client), { now, limits: { maxFailedPerRun: 2 } });
    const second = await reconcile(depsWith(publisher, s3.client), { now, limits: { maxFailedPerRun: 2 } });

    // Assess: the upload is re-driven on the first run; the tickets end two a run, oldest first.
    expect(first).toMatchObject({ redriven: 1, expired: 2, deferred: 3 });
    expect(second).toMatchObject({ expired: 2, deferred: 1 });
    expect(publisher.published).toEqual(tickets.slice(0, 4));
    expect(await statusOf(tickets[4]!)).toBe('PENDING');
  });

  it('stops starting work when the invocation is nearly out of time, and says what it left', async () => {
    // Prepare
    await pendingImage('ticket-a', 2);
    await pendingImage('ticket-b', 1);
    const publisher = recordingPublisher();
    const deps = { ...depsWith(publisher), remainingTimeMs: () => 20_000 };

    // Act
    const summary = await reconcile(deps, { now });

    // Assess: less than pass 2's reserve left, so pass 1 starts neither image
    expect(summary).toMatchObject({ pending: 0, unexamined: 2, expired: 0, deferred: 0 });
    expect(publisher.published).toEqual([]);
  });

  it('checks the time before each image, so a page of re-drives cannot take pass 2\'s time, and the next run re-drives the rest', async () => {
    // Prepare: an expired ticket, then eleven uploads to re-drive, all on one Query page; each copy takes a second
    // of an invocation that has pass 2's reserve and 2.5 s more.
    const ticket = await pendingImage('ticket', 20);
    const uploads: string[] = [];
    for (let minutes = 11; minutes > 0; minutes -= 1) uploads.push(await pendingImage(`upload-${minutes}`, minutes));
    const s3 = fakeS3(uploads.map(uploadKeyFor), new Map(), new Map(), () => now);
    let spentMs = 0;
    const costly = {
      send: async (command: HeadObjectCommand | CopyObjectCommand) => {
        if (command instanceof CopyObjectCommand) spentMs += 1000;
        return s3.client.send(command as HeadObjectCommand);
      },
    } as unknown as S3Client;
    const remainingTimeMs = () => ReconcileSettings.failPassReserveMs + 2500 - spentMs;
    const publisher = recordingPublisher();
    const copies = () => s3.sent.filter((call) => call.command === 'CopyObjectCommand').map((call) => call.key);

    // Act
    const short = await reconcile({ ...depsWith(publisher, costly), remainingTimeMs }, { now });
    const leftForPass2 = remainingTimeMs();
    const next = await reconcile(depsWith(publisher, s3.client), { now });

    // Assess: pass 1 stopped within the page, with pass 2's time (less only the copies in flight), and pass 2 failed
    // the ticket; the next run reads byStatus from the oldest again, finds the re-driven ones queued and re-drives the rest.
    expect(short).toMatchObject({ expired: 1, redriven: short.pending - 1, errors: 0 });
    expect(short.unexamined).toBeGreaterThan(0);
    expect(short.pending + short.unexamined).toBe(12);
    expect(leftForPass2).toBeGreaterThan(ReconcileSettings.failPassReserveMs - ReconcileSettings.concurrency * 1000);
    expect(publisher.published).toEqual([ticket]);
    expect(next).toMatchObject({ pending: 11, queued: short.redriven, redriven: short.unexamined, unexamined: 0, errors: 0 });
    expect(copies().toSorted()).toEqual(uploads.map(uploadKeyFor).toSorted());
  });

  it('reads byStatus a page at a time: a run out of time has read at most one page it did not examine', async () => {
    // Prepare: twenty expired tickets, pages of 2; each HeadObject takes a second of pass 1's 3.5 s.
    const tickets: string[] = [];
    for (let minutes = 20; minutes > 0; minutes -= 1) tickets.push(await pendingImage(`ticket-${minutes}`, minutes));
    let spentMs = 0;
    const s3 = fakeS3([]);
    const costly = {
      send: async (command: HeadObjectCommand) => {
        spentMs += 1000;
        return s3.client.send(command);
      },
    } as unknown as S3Client;
    const remainingTimeMs = () => ReconcileSettings.failPassReserveMs + 3500 - spentMs;
    const queryPageSize = 2;

    // Act
    const short = await reconcile({ ...depsWith(recordingPublisher(), costly), remainingTimeMs }, { now, limits: { queryPageSize } });
    const next = await reconcile(depsWith(recordingPublisher()), { now, limits: { queryPageSize } });

    // Assess: the examined tickets failed; the rest, on later pages, failed by the next run, which read every page.
    expect(short.pending).toBeLessThan(tickets.length);
    expect(short.unexamined).toBeLessThanOrEqual(queryPageSize);
    expect(short).toMatchObject({ expired: short.pending, errors: 0 });
    expect(next).toMatchObject({ pending: tickets.length - short.pending, expired: tickets.length - short.pending, unexamined: 0, errors: 0 });
    for (const ticket of tickets) expect(await statusOf(ticket)).toBe('FAILED');
  });

  it('defers a ticket whose invocation runs short after deciding to fail it, and fails and pushes it on the next run', async () => {
    // Prepare: time enough for both passes when they decide, then less than ending an image needs (endMarginMs)
    const ticket = await pendingImage('ticket-late', 1);
    const publisher = recordingPublisher();
    let calls = 0;
    // Asked before the image and after its page (pass 1), before the ticket (pass 2); then by the push.
    const remainingTimeMs = () => ((calls += 1) <= 3 ? ReconcileSettings.failPassReserveMs + 1 : PushSettings.endMarginMs - 1);
    const deps = { ...depsWith(publisher), remainingTimeMs };

    // Act
    const short = await reconcile(deps, { now });
    const statusAfterShort = await statusOf(ticket);
    const next = await reconcile(depsWith(publisher), { now });

    // Assess: left PENDING rather than ended by a run with no time to push it, then ended and pushed
    expect(short).toMatchObject({ expired: 0, deferred: 1, errors: 0 });
    expect(statusAfterShort).toBe('PENDING');
    expect(next).toMatchObject({ expired: 1, errors: 0 });
    expect(await statusOf(ticket)).toBe('FAILED');
    expect(publisher.published).toEqual([ticket]);
  });

  it('pushes, on a later run, an expired ticket whose push failed after its FAILED write', async () => {
    // Prepare: the run that fails the ticket cannot publish (AppSync down); no queue message will retry it.
    const ticket = await pendingImage('push-lost', 1);
    let clock = Date.parse('2030-01-01T12:00:00.000Z');
    const depsAt = (publisher: Publisher): ReconcileDeps => ({ ...depsWith(publisher), now: () => new Date(clock) });
    const first = await reconcile(depsAt(recordingPublisher([ticket])), { now });
    const publisher = recordingPublisher();

    // Act: the next run, once the failed run's push lease has lapsed
    clock += PushSettings.leaseMs + 1;
    const second = await reconcile(depsAt(publisher), { now });

    // Assess
    expect(first).toMatchObject({ expired: 0, errors: 1 });
    expect(second).toMatchObject({ pending: 1, pushed: 1, expired: 0, errors: 0 });
    expect(publisher.published).toEqual([ticket]);
    expect(await statusOf(ticket)).toBe('FAILED');
    expect(await onStatusIndex(ticket)).toBe(false);
  });

  it('finishes on a later run a LABELED image it pushed whose search entries failed: entries, catalog count and callback', async () => {
    // Prepare: LABELED (Cat) by a run that died before its push; its lease lapsed. The first reconciler run's BatchWrite fails.
    const id = await pendingImage('index-fails', 1);
    const item = (await itemAt(imageKey(id))) as Image;
    const cat: Label = { name: 'Cat', confidence: 99, parents: [], aliases: [], categories: [], instances: [] };
    const labelled: Image = { ...item, status: 'LABELED', labels: [cat], error: null, labeledAt: now.toISOString() };
    await table.store.documentClient.send(new PutCommand({ TableName: table.store.tableName, Item: { ...item, callbackUrl: 'https://example.com/hook' } }));
    const endedAt = new Date();
    await completeImage(table.store, labelled, endedAt);
    const failingBatchWrite: TableStore = {
      ...table.store,
      documentClient: {
        send: async (command: object) => {
          if (command instanceof BatchWriteCommand) throw new Error('InternalServerError');
          return table.store.documentClient.send(command as GetCommand);
        },
      } as unknown as TableStore['documentClient'],
    };
    const delivered: string[] = [];
    const callbacks: CallbackSender = { deliver: async (_url, image) => (delivered.push(image.id), { delivered: true, attempts: 1, status: 200 }) };
    const publisher = recordingPublisher();
    const afterLease = () => pastLease(endedAt);
    const deps = (store: TableStore): ReconcileDeps => ({ ...depsWith(publisher), store, callbacks, now: afterLease });

    // Act
    const first = await reconcile(deps(failingBatchWrite), { now });
    const second = await reconcile(deps(table.store), { now });

    // Assess: pushed once, then indexed, counted and called back by the second run, which takes it off byStatus
    expect(first).toMatchObject({ pending: 1, pushed: 0, errors: 1 });
    expect(second).toMatchObject({ pending: 1, finished: 1, errors: 0 });
    expect(publisher.published).toEqual([id]);
    const stored = await itemAt(imageKey(id));
    expect(stored?.[CatalogAttributes.pending]).toBeUndefined();
    const entry = labelEntries(labelled)[0]!;
    expect(await itemAt({ pk: entry.pk, sk: entry.sk })).toBeDefined();
    expect(delivered).toEqual([id]);
    expect(await onStatusIndex(id)).toBe(false);
  });

  it('gives up a push that failed maxPushAttempts times: logs an error and takes the image off byStatus', async () => {
    // Prepare: FAILED long ago, its push taken over and failed one attempt short of the limit; AppSync keeps failing
    const id = await pendingImage('push-always-fails', 1);
    const item = (await itemAt(imageKey(id))) as Image;
    const endedAt = new Date();
    await completeImage(table.store, { ...item, status: 'FAILED', error: 'test', labeledAt: endedAt.toISOString() }, endedAt);
    await table.store.documentClient.send(
      new UpdateCommand({ TableName: table.store.tableName, Key: imageKey(id), UpdateExpression: 'SET pushAttempts = :n', ExpressionAttributeValues: { ':n': ReconcileSettings.maxPushAttempts - 1 } }),
    );
    const publisher = recordingPublisher([id]);
    let clock = endedAt.getTime() + PushSettings.leaseMs + 1;
    const { logger, errors } = spiedLogger();
    const deps: ReconcileDeps = { ...depsWith(publisher), logger, now: () => new Date(clock) };

    // Act: the last attempt fails; the next run, once its lease has lapsed, gives up
    const last = await reconcile(deps, { now });
    clock += PushSettings.leaseMs + 1;
    const next = await reconcile(deps, { now });

    // Assess
    expect(last).toMatchObject({ pending: 1, pushed: 0, errors: 1 });
    expect(next).toMatchObject({ pending: 1, pushed: 0, dropped: 1, errors: 0 });
    expect(errors).toHaveBeenLastCalledWith(expect.stringMatching(/^push given up/), expect.objectContaining({ imageId: id, attempts: ReconcileSettings.maxPushAttempts }));
    expect(await onStatusIndex(id)).toBe(false);
    expect(await statusOf(id)).toBe('FAILED');
  });

  /** An hour more than giveUpAfterSeconds before the run: an image ended then has its push given up once its attempts are spent. */
  const pastGiveUp = new Date(now.getTime() - (ReconcileSettings.giveUpAfterSeconds + 60 * 60) * 1000);

  /** An image `name` ended as `status` (LABELED with the label `labelName`) at `labeledAt`, its push failed `attempts` times. */
  async function endedUnpushed(name: string, labeledAt: Date, attempts: number, labelName?: string): Promise<{ id: string; labelled: Image; endedAt: Date }> {
    const id = await pendingImage(name, 1);
    const item = (await itemAt(imageKey(id))) as Image;
    const label: Label | undefined = labelName ? { name: labelName, confidence: 99, parents: [], aliases: [], categories: [], instances: [] } : undefined;
    const labelled: Image = label
      ? { ...item, status: 'LABELED', labels: [label], error: null, labeledAt: labeledAt.toISOString() }
      : { ...item, status: 'FAILED', error: 'test', labeledAt: labeledAt.toISOString() };
    const endedAt = new Date();
    await completeImage(table.store, labelled, endedAt);
    await table.store.documentClient.send(
      new UpdateCommand({ TableName: table.store.tableName, Key: imageKey(id), UpdateExpression: 'SET pushAttempts = :n', ExpressionAttributeValues: { ':n': attempts } }),
    );
    return { id, labelled, endedAt };
  }

  /** An image whose push a run gives up: ended over giveUpAfterSeconds before it, every push attempt failed. */
  const pushToGiveUp = (name: string, labelName?: string) => endedUnpushed(name, pastGiveUp, ReconcileSettings.maxPushAttempts, labelName);

  const catalogCount = async (name: string) => ((await itemAt(catalogKey(sharedOwner, name)))?.imageCount as number | undefined) ?? 0;

  it("gives up a LABELED image's push with its search entries written and its names counted, as a pushed image has", async () => {
    // Prepare: LABELED (a label no other test uses) over a day before the run; every push attempt failed
    const { id, labelled, endedAt } = await pushToGiveUp('labeled-push-given-up', 'GivenUpCat');
    const publisher = recordingPublisher([id]);
    const deps: ReconcileDeps = { ...depsWith(publisher), now: () => pastLease(endedAt) };

    // Act
    const summary = await reconcile(deps, { now });

    // Assess: not published, but searchable and counted like any LABELED image, and off byStatus
    expect(summary).toMatchObject({ pending: 1, pushed: 0, dropped: 1, errors: 0 });
    expect(publisher.published).toEqual([]);
    const entry = labelEntries(labelled)[0]!;
    expect(await itemAt({ pk: entry.pk, sk: entry.sk })).toBeDefined();
    expect(await catalogCount('GivenUpCat')).toBe(1);
    const stored = await itemAt(imageKey(id));
    expect(stored?.[CatalogAttributes.pending]).toBeUndefined();
    expect(await onStatusIndex(id)).toBe(false);
  });

  it('keeps pushing an image that ended within giveUpAfterSeconds, however many attempts failed (an outage of hours)', async () => {
    // Prepare: FAILED an hour before the run, every lease taken over during an AppSync outage counted
    const { id, endedAt } = await endedUnpushed('recent-push-kept', new Date(now.getTime() - 60 * 60_000), ReconcileSettings.maxPushAttempts + 5);
    const publisher = recordingPublisher();
    const deps: ReconcileDeps = { ...depsWith(publisher), now: () => pastLease(endedAt) };

    // Act: AppSync is back
    const summary = await reconcile(deps, { now });

    // Assess
    expect(summary).toMatchObject({ pending: 1, pushed: 1, dropped: 0, errors: 0 });
    expect(publisher.published).toEqual([id]);
  });

  it('counts the names of an image ended before push leases existed before taking it off byStatus', async () => {
    // Prepare: LABELED by a labeler of before push leases (no lease, no pushedAt), its name never counted
    const { id } = await endedUnpushed('legacy-names-pending', pastGiveUp, 0, 'LegacyCat');
    await table.store.documentClient.send(
      new UpdateCommand({ TableName: table.store.tableName, Key: imageKey(id), UpdateExpression: 'REMOVE pushLeaseUntil, pushAttempts' }),
    );
    const publisher = recordingPublisher();

    // Act
    const summary = await reconcile(depsWith(publisher), { now });

    // Assess: pushed then, as such an image counts; counted now, and off byStatus
    expect(summary).toMatchObject({ pending: 1, finished: 1, dropped: 0, errors: 0 });
    expect(publisher.published).toEqual([]);
    expect(await catalogCount('LegacyCat')).toBe(1);
    expect(await onStatusIndex(id)).toBe(false);
  });

  /** The table, where `meanwhile` runs once, before the first command `isPoint` picks: another run acting then. */
  function interruptedBefore(isPoint: (command: object) => boolean, meanwhile: () => Promise<unknown>): TableStore {
    let interrupted = false;
    return {
      ...table.store,
      documentClient: {
        send: async (command: object) => {
          if (!interrupted && isPoint(command)) {
            interrupted = true;
            await meanwhile();
          }
          return table.store.documentClient.send(command as GetCommand);
        },
      } as unknown as TableStore['documentClient'],
    };
  }

  /** The table, where `meanwhile` runs before the first write after the reconciler's reads (a GetItem, a Query): between its read of an image and its first step. */
  const interruptedOnFirstWrite = (meanwhile: () => Promise<unknown>) =>
    interruptedBefore((command) => !(command instanceof GetCommand) && !(command instanceof QueryCommand), meanwhile);

  /** Another run (a labeler's redelivery, labeling-failed) taking the lapsed push lease over at `at`, as image-push.ts does. */
  const takeLeaseOver = (id: string, at: Date) =>
    table.store.documentClient.send(
      new UpdateCommand({
        TableName: table.store.tableName,
        Key: imageKey(id),
        UpdateExpression: 'SET pushLeaseUntil = :until ADD pushAttempts :one',
        ExpressionAttributeValues: { ':until': at.getTime() + PushSettings.leaseMs, ':one': 1 },
      }),
    );

  it('does not give up a push whose lease another run took over after the image was read', async () => {
    // Prepare: given up as read, but a labeler redelivery takes the lapsed lease over before the reconciler acts
    const { id, endedAt } = await pushToGiveUp('push-retaken');
    const clock = pastLease(endedAt);
    const deps: ReconcileDeps = { ...depsWith(recordingPublisher([id])), store: interruptedOnFirstWrite(() => takeLeaseOver(id, clock)), now: () => clock };

    // Act
    const summary = await reconcile(deps, { now });

    // Assess: left to the run holding the lease
    expect(summary).toMatchObject({ pending: 1, dropped: 0, errors: 0 });
    expect(await onStatusIndex(id)).toBe(true);
  });

  it('does not give up a LABELED push with names whose lease another run took over after the image was read: it stays on byStatus', async () => {
    // Prepare: LABELED (a name to count) over a day ago, given up as read; another run takes the lapsed lease
    // over before the reconciler's first write. Should that run's push fail, only byStatus brings the image back.
    const { id, endedAt } = await pushToGiveUp('labeled-push-retaken', 'RetakenCat');
    const clock = pastLease(endedAt);
    const { logger, errors } = spiedLogger();
    const deps: ReconcileDeps = {
      ...depsWith(recordingPublisher([id])),
      logger,
      store: interruptedOnFirstWrite(() => takeLeaseOver(id, clock)),
      now: () => clock,
    };

    // Act
    const summary = await reconcile(deps, { now });

    // Assess: left to the run holding the lease, still on byStatus, nothing logged as given up
    expect(summary).toMatchObject({ pending: 1, dropped: 0, errors: 0 });
    expect(await onStatusIndex(id)).toBe(true);
    expect(errors).not.toHaveBeenCalledWith(expect.stringMatching(/^push given up/), expect.anything());
  });

  it('keeps on byStatus a LABELED image whose give-up lease another run took over while its names were being counted', async () => {
    // Prepare: LABELED (a name to count) over a day ago, given up; the reconciler's lease lapses while it indexes,
    // and another run takes it over before the catalog claim (that run's push may fail: byStatus must keep the image)
    const { id, endedAt } = await pushToGiveUp('labeled-lease-lost-indexing', 'LostLeaseCat');
    const clock = pastLease(endedAt);
    const later = pastLease(clock);
    const deps: ReconcileDeps = {
      ...depsWith(recordingPublisher([id])),
      store: interruptedBefore((command) => command instanceof TransactWriteCommand, () => takeLeaseOver(id, later)),
      now: () => clock,
    };

    // Act
    const summary = await reconcile(deps, { now });

    // Assess: counted (the claim is the image's, whoever pushes), not given up, still on byStatus
    expect(summary).toMatchObject({ pending: 1, dropped: 0, errors: 0 });
    expect(await catalogCount('LostLeaseCat')).toBe(1);
    expect(await onStatusIndex(id)).toBe(true);
  });

  it('gives a push up once when two runs give it up at the same time', async () => {
    // Prepare: LABELED over a day ago, given up as read by two runs; the second runs whole between the first's
    // read and its first write
    const { id, endedAt } = await pushToGiveUp('push-given-up-twice', 'TwiceCat');
    const clock = pastLease(endedAt);
    const { logger, errors } = spiedLogger();
    const deps = (store: TableStore): ReconcileDeps => ({ ...depsWith(recordingPublisher([id])), logger, store, now: () => clock });
    let second: Awaited<ReturnType<typeof reconcile>> | undefined;

    // Act
    const first = await reconcile(deps(interruptedOnFirstWrite(async () => (second = await reconcile(deps(table.store), { now })))), { now });

    // Assess: one give-up, logged once, counted once
    expect(second).toMatchObject({ pending: 1, dropped: 1, errors: 0 });
    expect(first).toMatchObject({ pending: 1, dropped: 0, errors: 0 });
    expect(errors.mock.calls.filter(([message]) => /^push given up/.test(String(message)))).toHaveLength(1);
    expect(await catalogCount('TwiceCat')).toBe(1);
    expect(await onStatusIndex(id)).toBe(false);
  });

  it('leaves an ended image whose push lease is still held to its holder, without waiting for it', async () => {
    // Prepare: LABELED a moment ago by a run that is still pushing it
    const id = await pendingImage('being-pushed', 1);
    const endedAt = new Date();
    const stored = (await itemAt(imageKey(id))) as Image;
    await completeImage(table.store, { ...stored, status: 'LABELED', labeledAt: endedAt.toISOString() }, endedAt);
    const publisher = recordingPublisher();
    const s3 = fakeS3([uploadKeyFor(id)]);

    // Act
    const summary = await reconcile({ ...depsWith(publisher, s3.client), now: () => endedAt }, { now });

    // Assess: neither pushed nor re-driven, and still on byStatus for the next run
    expect(summary).toMatchObject({ pending: 1, pushing: 1, pushed: 0, redriven: 0, errors: 0 });
    expect(publisher.published).toEqual([]);
    expect(s3.sent).toEqual([]);
    expect(await onStatusIndex(id)).toBe(true);
  });

  it("re-drives at a restart only the uploads made before the stack started (its start-up event), never one the live queue holds", async () => {
    // Prepare: one upload whose event the restart lost, one made while the stack was starting (its event is queued)
    const startedAt = new Date(Date.parse(hourAgo(run * 1000)) + 10 * 60_000);
    const putAt = (name: string, createdAt: Date) => putPending(`run${run}-${name}`, createdAt.toISOString());
    const lost = await putAt('lost', new Date(startedAt.getTime() - 60_000));
    const queued = await putAt('during-start', new Date(startedAt.getTime() + 1));
    // A ticket issued before the restart, uploaded once the new queue was wired, before the run: its event is queued.
    const uploadedLate = await putAt('uploaded-during-start', new Date(startedAt.getTime() - 120_000));
    // Another, uploaded in the very second S3 started serving: its LastModified is that second, the run's time.
    const uploadedAtStart = await putAt('uploaded-at-start', new Date(startedAt.getTime() - 110_000));
    const writtenAt = new Map([
      [uploadKeyFor(uploadedLate), new Date(startedAt.getTime() + 1_500)],
      [uploadKeyFor(uploadedAtStart), new Date(startedAt.getTime() + 400)],
    ]);
    const s3 = fakeS3([lost, queued, uploadedLate, uploadedAtStart].map(uploadKeyFor), new Map(), writtenAt);

    // Act: as the handler reads the event the stack sends
    const summary = await reconcile(depsWith(recordingPublisher(), s3.client), reconcileOptionsOf(startupReconcileEvent(startedAt)));

    // Assess
    expect(summary).toMatchObject({ pending: 3, redriven: 1, queued: 2, errors: 0 });
    expect(s3.sent.filter((call) => call.command === 'CopyObjectCommand').map((call) => call.key)).toEqual([uploadKeyFor(lost)]);
    expect(s3.sent.map((call) => call.key)).not.toContain(uploadKeyFor(queued));
  });

  it('counts an object whose HeadObject has no LastModified as queued, never re-driven', async () => {
    // Prepare: an upload S3 answers without LastModified
    const id = await pendingImage('no-last-modified', 1);
    const sent: string[] = [];
    const undated = { send: async (command: object) => (sent.push(command.constructor.name), {}) } as unknown as S3Client;

    // Act
    const summary = await reconcile(depsWith(recordingPublisher(), undated), { now });

    // Assess
    expect(summary).toMatchObject({ pending: 1, queued: 1, redriven: 0, errors: 0 });
    expect(sent).toEqual(['HeadObjectCommand']);
    expect(await statusOf(id)).toBe('PENDING');
  });

  it('fails a ticket with the expired-URL reason', async () => {
    // Prepare
    const ticket = await pendingImage('ticket', 1);

    // Act
    await reconcile(depsWith(recordingPublisher()), { now });

    // Assess
    expect(await itemAt(imageKey(ticket))).toMatchObject({ status: 'FAILED', error: expiredTicketReason });
  });
});

describe('Offline start: nextWholeSecond', () => {
  it('returns the next whole second only once the clock is fileTimeLagMs past it, as file times lag the clock', async () => {
    // Prepare
    vi.useFakeTimers({ now: Date.parse('2030-01-01T12:00:00.400Z'), toFake: ['Date', 'setTimeout'] });
    try {
      let servesFrom: Date | undefined;
      const waiting = nextWholeSecond().then((second) => void (servesFrom = second));

      // Act: the clock reaches the second, then the lag past it
      await vi.advanceTimersByTimeAsync(600);
      const atTheSecond = servesFrom;
      await vi.advanceTimersByTimeAsync(fileTimeLagMs);
      await waiting;

      // Assess
      expect(atTheSecond).toBeUndefined();
      expect(servesFrom).toEqual(new Date('2030-01-01T12:00:01.000Z'));
    } finally {
      vi.useRealTimers();
    }
  });
});
