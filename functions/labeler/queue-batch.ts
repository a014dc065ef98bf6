/**
 * One labeler invocation: a batch of labelling-queue messages, labelled one
 * after the other (so a running labeler makes one call of each Rekognition
 * operation at a time, which is what its ESM concurrency is derived from),
 * answered with a partial batch response: only the messages listed in
 * `batchItemFailures` go back to the queue, the rest are deleted.
 *
 * What happens to a message (api/labeling-queue.ts has the timeline):
 * - labelled, FAILED for a reason of the image's own (unlabelable bytes), a
 *   duplicate, stale or about no image: done, deleted;
 * - throttled (Rekognition, DynamoDB or S3 still throttling after the SDK's
 *   own retries, or a detection cut at its bound, time-budget.ts): returned
 *   to the queue, received again one visibility timeout later; never FAILED for it;
 * - deferred (PushDeferredError: too little of the invocation left to end or
 *   push its image, functions/shared/image-push.ts): the same; its image
 *   stays PENDING, or is pushed by the next run;
 * - another error: returned to the queue until it has been received
 *   `errorAttempts` times (at once for an error functions/shared/errors.ts
 *   calls permanent); then its image ends FAILED with the error's name as
 *   the reason, and the message is done;
 * - a message not started because the invocation is running out of time:
 *   returned to the queue (it costs it one receive);
 * - a run that crashes or times out answers nothing: every message of the
 *   batch comes back, and after maxReceiveCount receives goes to the
 *   dead-letter queue, which labeling-failed consumes.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LabelingQueueSettings } from '../../api/labeling-queue.ts';
import { queuedS3Event, receiveCountOf } from '../shared/queued-s3-event.ts';
import { errorDisposition, PushDeferredError } from '../shared/errors.ts';
import type { UploadedObject } from '../shared/uploaded-object.ts';
import type { LabelOutcome } from './label-image.ts';
import { startReserveMs } from './time-budget.ts';


/** The reason an image gets when an error outlasts its attempts; short, without the service's text. */
export const errorReason = (attempts: number, error: unknown): string =>
  `labelling failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${(error as { name?: string })?.name ?? 'Error'}`;

export const QueueBatchSettings = {
  /**
   * A message is not started with less than this left of the invocation (nor
   * with less than twice the longest one so far took): derived from what one
   * message needs (time-budget.ts: its reads, its detection at the longest,
   * the end and push of its image), so a message started is not deferred
   * after paying for its detection (unless the checks after it outlast their
   * allowance: its detection is then stored and reused), and a run does not
   * time out and put back the messages it already finished. Less than the
   * labeler's timeout (tests/functions/label-time-budget.test.ts).
   */
  startReserveMs,
} as const;

export interface QueueBatchDeps {
  readonly label: (object: UploadedObject) => Promise<LabelOutcome>;
  /** Ends a PENDING image FAILED with the reason and pushes it (functions/shared/mark-image-failed.ts). */
  readonly fail: (imageId: string, reason: string) => Promise<unknown>;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Milliseconds left of the invocation (context.getRemainingTimeInMillis). @default - no limit */
  readonly remainingTimeMs?: () => number;
}

type MessageResult = 'done' | 'retry';

async function labelObject(deps: QueueBatchDeps, record: SQSRecord, object: UploadedObject): Promise<MessageResult> {
  try {
    await deps.label(object);
    return 'done';
  } catch (error) {
    const receives = receiveCountOf(record);
    // functions/shared/errors.ts decides: throttling is waited out, a permanent error is not tried again.
    const disposition = errorDisposition(error);
    if (disposition === 'throttled') {
      deps.logger.warn('throttled; the message goes back to the queue', { imageId: object.imageId, receives, error: error as Error });
      return 'retry';
    }
    // Too little of the invocation was left to end or push the image: no failure of the image's, so never FAILED for it.
    if (error instanceof PushDeferredError) {
      deps.logger.warn('push deferred for lack of time; the message goes back to the queue', { imageId: object.imageId, receives, error });
      return 'retry';
    }
    if (disposition === 'transient' && receives < LabelingQueueSettings.errorAttempts) {
      deps.logger.warn('labelling failed; the message goes back to the queue', { imageId: object.imageId, receives, error: error as Error });
      return 'retry';
    }
    deps.logger.error('labelling failed on its last attempt; the image ends FAILED', { imageId: object.imageId, receives, error: error as Error });
    try {
      await deps.fail(object.imageId, errorReason(receives, error));
      return 'done';
    } catch (failError) {
      if (failError instanceof PushDeferredError) {
        deps.logger.warn('too little time left to end the image FAILED; the message goes back to the queue', { imageId: object.imageId, error: failError });
      } else {
        deps.logger.error('could not end the image FAILED; the message goes back to the queue', { imageId: object.imageId, error: failError as Error });
      }
      return 'retry';
    }
  }
}

async function labelMessage(deps: QueueBatchDeps, record: SQSRecord): Promise<MessageResult> {
  const queued = queuedS3Event(record);
  if (queued.kind === 'ignored') {
    deps.logger.info('message ignored', { messageId: record.messageId, why: queued.why });
    return 'done';
  }
  let result: MessageResult = 'done';
  // Every object of the message is tried; a retry redoes the done ones as duplicates, which cost a read.
  for (const object of queued.objects) {
    if ((await labelObject(deps, record, object)) === 'retry') result = 'retry';
  }
  return result;
}

export async function labelQueueBatch(deps: QueueBatchDeps, event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  let longestMs = 0;
  for (const record of event.Records) {
    const timeLeft = deps.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
    if (timeLeft < Math.max(QueueBatchSettings.startReserveMs, 2 * longestMs)) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    const startedAt = performance.now();
    if ((await labelMessage(deps, record)) === 'retry') batchItemFailures.push({ itemIdentifier: record.messageId });
    longestMs = Math.max(longestMs, performance.now() - startedAt);
  }
  if (batchItemFailures.length > 0) deps.logger.info('messages back to the queue', { count: batchItemFailures.length, of: event.Records.length });
  return { batchItemFailures };
}
