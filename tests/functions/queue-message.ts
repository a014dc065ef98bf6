/**
 * The labelling queue's message for an S3 event body, as the SQS event source mapping hands it to the labeler
 * (aws-lambda's SQSRecord): shared by the tests that drive labelQueueBatch and the labeler's handler.
 */
import type { SQSRecord } from 'aws-lambda';

/** One record named after `id`, on its `receives`th receive (ApproximateReceiveCount decides the last attempt). */
export function queueMessage(id: string, body: unknown, receives = 1): SQSRecord {
  return {
    messageId: `msg-${id}`,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receives), SentTimestamp: '1', SenderId: 's3', ApproximateFirstReceiveTimestamp: '1' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:labeling',
    awsRegion: 'us-east-1',
  };
}
