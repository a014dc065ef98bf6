/**
 * Reads the S3 events the labelling queue carries (api/labeling-queue.ts): S3
 * sends each ObjectCreated notification as one SQS message whose body is the
 * S3 event JSON (`{"Records":[…]}`), and once, when the notification is
 * configured, an `s3:TestEvent` that is about no object.
 */
import type { S3Event, SQSRecord } from 'aws-lambda';
import { uploadedObjectFrom, type UploadedObject } from './uploaded-object.ts';

/** What one queued message is about. */
export type QueuedS3Event =
  | { readonly kind: 'objects'; readonly objects: readonly UploadedObject[] }
  /** S3's s3:TestEvent, or a body that is no S3 event: nothing to label, ever. */
  | { readonly kind: 'ignored'; readonly why: string };

const isS3Event = (value: unknown): value is S3Event =>
  typeof value === 'object' && value !== null && Array.isArray((value as S3Event).Records);

export function queuedS3Event(record: Pick<SQSRecord, 'body'>): QueuedS3Event {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { kind: 'ignored', why: 'the message body is not JSON' };
  }
  if (typeof body === 'object' && body !== null && (body as { Event?: unknown }).Event === 's3:TestEvent') {
    return { kind: 'ignored', why: 's3:TestEvent' };
  }
  if (!isS3Event(body)) return { kind: 'ignored', why: 'the message body is not an S3 event' };
  const objects = body.Records.flatMap((s3Record) => {
    const object = typeof s3Record?.s3?.object?.key === 'string' ? uploadedObjectFrom(s3Record) : undefined;
    return object ? [object] : [];
  });
  return objects.length > 0 ? { kind: 'objects', objects } : { kind: 'ignored', why: 'no object under the uploads prefix' };
}

/** How many times SQS has handed this message out, this receive included. */
export const receiveCountOf = (record: Pick<SQSRecord, 'attributes'>): number => {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(count) && count > 0 ? count : 1;
};
