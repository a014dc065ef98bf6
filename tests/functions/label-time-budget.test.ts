/**
 * The labeler's time budget (functions/labeler/time-budget.ts) as the
 * handler composes it: labelQueueBatch with labelImage and markImageFailed,
 * on the local S3 and a real dynalite, the invocation's time left read from
 * an injected clock, and a Rekognition stand-in whose answer takes as long as
 * the test says (it moves that clock). A message started with the batch's
 * reserve left ends and pushes its image even when its detection takes as
 * long as it may; no Rekognition call is made without the time to end the
 * image after it; a detection cut at its bound is waited out, never FAILED.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DetectLabelsCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelingQueueSettings } from '../../api/labeling-queue.ts';
import { uploadKeyFor } from '../../api/media.ts';
import { imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { detect } from '../../functions/labeler/detect.ts';
import { labelImage, type LabelerDeps } from '../../functions/labeler/label-image.ts';
import { labelQueueBatch, QueueBatchSettings } from '../../functions/labeler/queue-batch.ts';
import { LabelerTimeBudget, startReserveMs, toDetectMs } from '../../functions/labeler/time-budget.ts';
import { lambdaFunctions } from '../../api/manifest.ts';
import { DetectionDeadlineError, errorDisposition, PushDeferredError } from '../../functions/shared/errors.ts';
import { PushSettings } from '../../functions/shared/image-push.ts';
import { getImage } from '../../functions/shared/image-store.ts';
import { markImageFailed } from '../../functions/shared/mark-image-failed.ts';
import type { UploadedObject } from '../../functions/shared/uploaded-object.ts';
import { fixture } from '../support/fixtures.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';
import { queueMessage } from './queue-message.ts';
import { bucket, startUploadsBucket, type UploadsBucket } from './uploads-bucket.ts';

let table: ImagesTable;
let uploads: UploadsBucket;

beforeAll(async () => {
  table = await startImagesTable();
  uploads = await startUploadsBucket();
});
afterAll(async () => {
  await uploads?.close();
  await table?.close();
});

/** An invocation's clock: time left, and what the work so far took. */
function invocation(startLeftMs: number) {
  let elapsedMs = 0;
  return { remainingTimeMs: () => startLeftMs - elapsedMs, spend: (ms: number) => void (elapsedMs += ms) };
}

/** A Rekognition that sees a cat, spending `takesMs` of the invocation before it answers DetectLabels. */
function slowRekognition(spend: (ms: number) => void, takesMs: number) {
  const calls: string[] = [];
  const client = {
    send: async (command: object) => {
      calls.push(command.constructor.name);
      if (!(command instanceof DetectLabelsCommand)) return { ModerationLabels: [] };
      spend(takesMs);
      return { Labels: [{ Name: 'Cat', Confidence: 99, Parents: [], Aliases: [], Categories: [], Instances: [] }] };
    },
  };
  return { rekognition: client as unknown as RekognitionClient, calls };
}

/** A PENDING cat image, uploaded: its S3 event's message as the labelling queue hands it over, on its `receives`th receive, and the object it names. */
async function uploadedCat(id: string, receives = 1): Promise<{ readonly event: SQSEvent; readonly object: UploadedObject }> {
  const bytes = jpegVariant(await fixture('cat.jpg'));
  const image: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: bytes.length, createdAt: new Date().toISOString(), labels: [], moderationLabels: [] };
  await table.store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...image, owner: 'API_KEY' } }));
  await uploads.s3.send(new PutObjectCommand({ Bucket: bucket, Key: uploadKeyFor(id), Body: bytes, ContentType: 'image/jpeg' }));
  const object: UploadedObject = { bucket, key: uploadKeyFor(id), imageId: id, sizeBytes: bytes.length, eTag: createHash('md5').update(bytes).digest('hex') };
  const body = { Records: [{ s3: { bucket: { name: bucket }, object: { key: object.key, size: object.sizeBytes, eTag: object.eTag } } }] };
  const event: SQSEvent = { Records: [queueMessage(id, body, receives)] };
  return { event, object };
}

/** The labeler's handler, composed as functions/labeler/handler.ts composes it, with the given Rekognition and clock. */
function labeler(rekognition: RekognitionClient, remainingTimeMs: () => number) {
  const published: string[] = [];
  const deps: LabelerDeps = {
    store: table.store,
    rekognition,
    s3: uploads.s3,
    publisher: { publish: async (image) => void published.push(image.id) },
    logger: new Logger({ logLevel: 'SILENT' }),
    remainingTimeMs,
  };
  const run = (event: SQSEvent) =>
    labelQueueBatch(
      { label: (object) => labelImage(deps, object), fail: (imageId, reason) => markImageFailed(deps, imageId, reason), logger: deps.logger, remainingTimeMs },
      event,
    );
  return { run, deps, published };
}

describe('Labeler: time budget', () => {
  it("fits a message's reserve inside the labeler's timeout: a fresh invocation starts its first message", () => {
    // The reserve is what a message needs left to start: a labeler whose timeout is not longer would start none,
    // and every message would go back to the queue until the dead-letter queue failed its image.
    const timeoutMs = lambdaFunctions.labeler.timeoutSeconds * 1000;

    expect(QueueBatchSettings.startReserveMs).toBe(startReserveMs);
    expect(startReserveMs).toBeLessThan(timeoutMs);
  });

  it('ends and pushes the image of a message started with just the reserve left, whose detection takes as long as it may', async () => {
    // Prepare: the detection takes its whole bound less a millisecond, and the checks after it their whole allowance
    const { event } = await uploadedCat('budget-longest');
    const clock = invocation(QueueBatchSettings.startReserveMs);
    const { rekognition, calls } = slowRekognition(clock.spend, LabelerTimeBudget.detectionMs - 1 + LabelerTimeBudget.afterDetectionMs);
    const { run, published } = labeler(rekognition, clock.remainingTimeMs);

    // Act
    const response = await run(event);

    // Assess: done, one detection paid for, and no deferral that would redo it
    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls.filter((call) => call === 'DetectLabelsCommand')).toHaveLength(1);
    expect((await getImage(table.store, 'budget-longest'))?.status).toBe('LABELED');
    expect(published).toEqual(['budget-longest']);
    expect(clock.remainingTimeMs()).toBeGreaterThanOrEqual(PushSettings.endMarginMs);
  });

  it('asks Rekognition nothing with too little time left to end the image after the detection: the message is redone, nothing paid twice', async () => {
    // Prepare: a message whose reads left it a millisecond short when its detection would start
    const { object } = await uploadedCat('budget-short');
    const { rekognition, calls } = slowRekognition(() => undefined, 0);
    const { deps } = labeler(rekognition, () => toDetectMs - 1);
    const thumbnails: string[] = [];

    // Act
    const labelling = labelImage({ ...deps, thumbnails: { write: async ({ imageId }) => (thumbnails.push(imageId), `thumbnails/${imageId}.webp`) } }, object);

    // Assess: nor any media made for it (the redo makes them)
    await expect(labelling).rejects.toBeInstanceOf(PushDeferredError);
    expect(calls).toEqual([]);
    expect((await getImage(table.store, 'budget-short'))?.status).toBe('PENDING');
    expect(thumbnails).toEqual([]);
  });

  it('makes no media for a message deferred when its detection would start: the redo makes them', async () => {
    // Prepare: the time is there at the message's start (its first read), a millisecond short when the detection would start (its second)
    const { object } = await uploadedCat('budget-short-at-detection');
    const { rekognition, calls } = slowRekognition(() => undefined, 0);
    let reads = 0;
    const { deps } = labeler(rekognition, () => ((reads += 1) === 1 ? toDetectMs : toDetectMs - 1));
    const thumbnails: string[] = [];

    // Act
    const labelling = labelImage({ ...deps, thumbnails: { write: async ({ imageId }) => (thumbnails.push(imageId), `thumbnails/${imageId}.webp`) } }, object);

    // Assess: deferred at the detection, with nothing asked and no thumbnail made (nor after the media would have had their turns)
    await expect(labelling).rejects.toBeInstanceOf(PushDeferredError);
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    expect(calls).toEqual([]);
    expect(thumbnails).toEqual([]);
    expect((await getImage(table.store, 'budget-short-at-detection'))?.status).toBe('PENDING');
  });

  it('bounds the detection by all the invocation has left but the checks after it and the end of the image', async () => {
    // Prepare: a Rekognition that answers a moment later whatever the signal says; the bound is reached at once
    const { object } = await uploadedCat('budget-bound');
    const leftMs = toDetectMs + 7_000;
    const bounds: number[] = [];
    const lateAnswer = {
      send: (command: object) =>
        new Promise((resolve) =>
          setImmediate(() => resolve(command instanceof DetectLabelsCommand ? { Labels: [{ Name: 'Cat', Confidence: 99, Parents: [] }] } : { ModerationLabels: [] })),
        ),
    } as unknown as RekognitionClient;
    const { deps, published } = labeler(lateAnswer, () => leftMs);
    const detectionDeadline = (ms: number) => {
      bounds.push(ms);
      return AbortSignal.abort();
    };

    // Act
    const labelling = labelImage({ ...deps, detectionDeadline }, object);

    // Assess: cut, as throttling; the image waits for the redo
    await expect(labelling).rejects.toBeInstanceOf(DetectionDeadlineError);
    expect(bounds).toEqual([leftMs - LabelerTimeBudget.afterDetectionMs - PushSettings.endMarginMs]);
    expect(bounds[0]).toBeGreaterThan(LabelerTimeBudget.detectionMs);
    expect((await getImage(table.store, 'budget-bound'))?.status).toBe('PENDING');
    expect(published).toEqual([]);
  });

  it('stores a fresh detection before deferring at the terminal write, and the redo reuses it: Rekognition is paid once', async () => {
    // Prepare: started with the reserve left, its detection and the checks after it outlast all but the end's margin by a millisecond
    const { event } = await uploadedCat('budget-late-end');
    const clock = invocation(QueueBatchSettings.startReserveMs);
    const { rekognition, calls } = slowRekognition(clock.spend, QueueBatchSettings.startReserveMs - PushSettings.endMarginMs + 1);
    const first = labeler(rekognition, clock.remainingTimeMs);
    const redo = labeler(rekognition, () => QueueBatchSettings.startReserveMs);

    // Act
    const deferred = await first.run(event);
    const statusAfterDeferral = (await getImage(table.store, 'budget-late-end'))?.status;
    const detectionsBeforeRedo = calls.filter((call) => call === 'DetectLabelsCommand').length;
    const redone = await redo.run(event);

    // Assess
    expect(deferred).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-budget-late-end' }] });
    expect(statusAfterDeferral).toBe('PENDING');
    expect(detectionsBeforeRedo).toBe(1);
    expect(redone).toEqual({ batchItemFailures: [] });
    expect((await getImage(table.store, 'budget-late-end'))?.status).toBe('LABELED');
    expect(calls.filter((call) => call === 'DetectLabelsCommand')).toHaveLength(1);
  });

  it('cuts a detection at its bound, as throttling, whatever the client does with the signal', async () => {
    // Prepare: a Rekognition that never answers, and ignores the signal; the bound is reached when the test aborts it
    const hanging = { send: () => new Promise(() => undefined) } as unknown as RekognitionClient;
    const bound = new AbortController();
    const detection = detect(hanging, { Bytes: new Uint8Array(1) }, { imageProperties: false, signal: bound.signal });

    // Act
    bound.abort();
    const cut = await detection.catch((error: unknown) => error);

    // Assess
    expect(cut).toBeInstanceOf(DetectionDeadlineError);
    expect(errorDisposition(cut)).toBe('throttled');
  });

  it('puts a message whose detection was cut back to the queue, even on its last error attempt: never FAILED for it', async () => {
    // Prepare
    const { event } = await uploadedCat('budget-cut', LabelingQueueSettings.errorAttempts);
    const cutEveryTime = { send: async () => Promise.reject(new DetectionDeadlineError()) } as unknown as RekognitionClient;
    const { run, published } = labeler(cutEveryTime, () => Number.POSITIVE_INFINITY);

    // Act
    const response = await run(event);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-budget-cut' }] });
    expect((await getImage(table.store, 'budget-cut'))?.status).toBe('PENDING');
    expect(published).toEqual([]);
  });
});
