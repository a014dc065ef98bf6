/**
 * The labeler's handling of a batch from the labelling queue
 * (functions/labeler/queue-batch.ts): throttling goes back to the queue and
 * never fails an image; other errors go back until their last attempt, which
 * fails the image with the reason; the partial batch response lists exactly
 * the messages to retry.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LabelingQueueSettings } from '../../api/labeling-queue.ts';
import { labelQueueBatch, QueueBatchSettings, type QueueBatchDeps } from '../../functions/labeler/queue-batch.ts';
import { isThrottling, PushDeferredError, StaleUploadError } from '../../functions/shared/errors.ts';
import type { UploadedObject } from '../../functions/shared/uploaded-object.ts';
import { queueMessage } from './queue-message.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function message(imageId: string, receives = 1): SQSRecord {
  return queueMessage(imageId, { Records: [{ s3: { bucket: { name: 'bucket' }, object: { key: `uploads/${imageId}`, size: 10, eTag: 'e' } } }] }, receives);
}

const named = (name: string) => Object.assign(new Error(`${name} happened`), { name });

function deps(errors: Record<string, Error>): QueueBatchDeps & { labelled: string[]; failed: [string, string][] } {
  const labelled: string[] = [];
  const failed: [string, string][] = [];
  return {
    labelled,
    failed,
    logger: silent,
    label: async (object: UploadedObject) => {
      const error = errors[object.imageId];
      if (error) throw error;
      labelled.push(object.imageId);
      return 'labeled';
    },
    fail: async (imageId, reason) => void failed.push([imageId, reason]),
  };
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('Function: labelQueueBatch', () => {
  it('labels every message and reports no failure', async () => {
    const batch = deps({});

    const response = await labelQueueBatch(batch, event(message('a'), message('b')));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(batch.labelled).toEqual(['a', 'b']);
  });

  it('returns a throttled message to the queue, never failing its image, however often it was received', async () => {
    // Prepare
    const batch = deps({ b: named('ThrottlingException'), c: named('ProvisionedThroughputExceededException') });

    // Act
    const response = await labelQueueBatch(batch, event(message('a'), message('b', 29), message('c', 5)));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-b' }, { itemIdentifier: 'msg-c' }] });
    expect(batch.labelled).toEqual(['a']);
    expect(batch.failed).toEqual([]);
  });

  it('returns another error to the queue until its last attempt, then fails the image with the reason', async () => {
    // Prepare
    const last = LabelingQueueSettings.errorAttempts;
    const batch = deps({ a: named('InternalServerError'), b: named('InternalServerError') });

    // Act
    const response = await labelQueueBatch(batch, event(message('a', last - 1), message('b', last)));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-a' }] });
    expect(batch.failed).toEqual([['b', `labelling failed after ${last} attempts: InternalServerError`]]);
  });

  it('returns a deferred push to the queue, never failing its image, even on its last attempt', async () => {
    // Prepare: the run had too little of its invocation left to end or push the image
    const batch = deps({ a: new PushDeferredError('a', 5_000), b: new PushDeferredError('b', 5_000) });

    // Act
    const response = await labelQueueBatch(batch, event(message('a', LabelingQueueSettings.errorAttempts), message('b', 1)));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'msg-a' }, { itemIdentifier: 'msg-b' }]);
    expect(batch.failed).toEqual([]);
  });

  it('fails the image at once for an error functions/shared/errors.ts calls permanent, and deletes the message', async () => {
    // Prepare: an upload whose version is gone reached the batch (label-image.ts normally absorbs it).
    const batch = deps({ a: new StaleUploadError({ bucket: 'b', key: 'uploads/a', imageId: 'a', sizeBytes: 1, eTag: 'e' } as UploadedObject) });

    // Act
    const response = await labelQueueBatch(batch, event(message('a', 1)));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(batch.failed).toEqual([['a', 'labelling failed after 1 attempt: StaleUploadError']]);
  });

  it("does not start a message with less than the reserve left, and returns it to the queue", async () => {
    const batch = deps({});
    let left = QueueBatchSettings.startReserveMs + 1;

    const response = await labelQueueBatch(
      { ...batch, remainingTimeMs: () => left, label: async (object) => ((left = 0), batch.label(object)) },
      event(message('a'), message('b')),
    );

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-b' }] });
    expect(batch.labelled).toEqual(['a']);
  });

  it("deletes S3's test event and bodies that are no S3 event", async () => {
    const batch = deps({});

    const response = await labelQueueBatch(batch, event({ ...message('x'), body: '{"Service":"Amazon S3","Event":"s3:TestEvent"}' }, { ...message('y'), body: 'nope' }));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(batch.labelled).toEqual([]);
  });
});

describe('Function: isThrottling', () => {
  it('knows throttling by name or by the SDK\'s classification', () => {
    expect(isThrottling(named('ThrottlingException'))).toBe(true);
    expect(isThrottling(named('SlowDown'))).toBe(true);
    expect(isThrottling(Object.assign(new Error('x'), { $retryable: { throttling: true } }))).toBe(true);
    expect(isThrottling(named('InternalServerError'))).toBe(false);
    expect(isThrottling('ThrottlingException')).toBe(false);
  });
});
