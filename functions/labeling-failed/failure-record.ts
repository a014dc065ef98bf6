/**
 * Reads a dead letter of the labelling queue (api/labeling-queue.ts): an S3
 * event the labeler received maxReceiveCount times without ever answering for
 * it (every run crashed or timed out, or throttling outlasted the window).
 * Errors the labeler saw end their image FAILED in the labeler itself, with
 * the error as the reason; what reaches here never had an answer.
 */
import type { SQSRecord } from 'aws-lambda';
import { LabelingQueueSettings } from '../../api/labeling-queue.ts';
import { queuedS3Event } from '../shared/queued-s3-event.ts';

export interface FailedImage {
  readonly imageId: string;
  readonly reason: string;
}

/** Short and free of internals: the reason is shown to the image's owner. */
export const deadLetterReason = `labelling failed after ${LabelingQueueSettings.maxReceiveCount} attempts: no attempt finished`;

/** The images of one dead letter; none for a test event or a body that is no S3 event. */
export function failedImagesOf(record: Pick<SQSRecord, 'body'>): FailedImage[] {
  const queued = queuedS3Event(record);
  if (queued.kind === 'ignored') return [];
  return queued.objects.map((object) => ({ imageId: object.imageId, reason: deadLetterReason }));
}
