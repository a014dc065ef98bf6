/**
 * The labelling queues offline (local/lambda/queues.ts): built from
 * api/labeling-queue.ts, polled with each consumer's role as Lambda's ESM
 * polls, and refused at start when the role lacks the ESM's sqs actions.
 */
import { describe, expect, it } from 'vitest';
import { defaultLabelingQuotas, eventSourceMappings, QueueName } from '../../api/labeling-queue.ts';
import type { LambdaFunctionName } from '../../api/manifest.ts';
import { localFunctionPolicy } from '../../local/iam/function-roles.ts';
import { compilePolicy } from '../../local/iam/policy.ts';
import { functionRole } from '../../local/iam/principals.ts';
import { EventSourceMappingError } from '../../local/lambda/errors.ts';
import { startLocalQueues } from '../../local/lambda/queues.ts';
import { asyncRetryDelaysMs, consumerProcessCap } from '../../local/lambda/runtime.ts';

const region = 'us-east-1';
const resources = { region, bucketName: 'b', tableName: 't' };
const declaredRole = (name: LambdaFunctionName) => functionRole(`role-${name}`, name, compilePolicy([localFunctionPolicy(name, resources)]));

describe('Function: startLocalQueues', () => {
  it('hands the labeler what S3 sends to the labelling queue, as an SQS event from that queue', async () => {
    // Prepare
    const events: { name: string; arn: string; body: string }[] = [];
    const queues = startLocalQueues({
      region,
      quotas: defaultLabelingQuotas,
      roleOf: declaredRole,
      invoke: async (name, event) => {
        const [record] = (event as { Records: { eventSourceARN: string; body: string }[] }).Records;
        events.push({ name, arn: record!.eventSourceARN, body: record!.body });
        return { batchItemFailures: [] };
      },
    });

    // Act
    queues.send(QueueName.labeling, '{"Records":[]}');
    while (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    queues.close();

    // Assess
    expect(events).toEqual([{ name: 'labeler', arn: `arn:aws:sqs:${region}:000000000000:${QueueName.labeling}`, body: '{"Records":[]}' }]);
  });

  it('refuses to start a mapping whose function role may not poll its queue, as CreateEventSourceMapping does', () => {
    // Prepare: the labeler with the reconciler's role, which has no sqs action
    const roleOf = (name: LambdaFunctionName) => declaredRole(name === 'labeler' ? 'reconciler' : name);

    // Act / Assess
    expect(() => startLocalQueues({ region, quotas: defaultLabelingQuotas, roleOf, invoke: async () => undefined })).toThrow(EventSourceMappingError);
    expect(() => startLocalQueues({ region, quotas: defaultLabelingQuotas, roleOf, invoke: async () => undefined })).toThrow(
      /execution role of labeler does not have permissions to call \w+ on SQS/,
    );
  });
});

describe('Function: consumerProcessCap', () => {
  it("keeps a process for every batch a consumer's mappings run at once, under any quota, so no two batches share one", () => {
    for (const quotas of [defaultLabelingQuotas, { ...defaultLabelingQuotas, rekognitionTps: 1 }, { ...defaultLabelingQuotas, rekognitionTps: 500 }]) {
      for (const mapping of eventSourceMappings(quotas)) {
        expect(consumerProcessCap(mapping.function, quotas)).toBeGreaterThanOrEqual(mapping.maximumConcurrency);
      }
    }
    expect(consumerProcessCap('presignUpload')).toBe(0);
  });

  it('runs as many labelers as the default quotas give on AWS: 2, with labeling-failed\'s 2 and the reconciler, half of 10', () => {
    expect(consumerProcessCap('labeler', defaultLabelingQuotas)).toBe(2);
    expect(consumerProcessCap('labeler', { ...defaultLabelingQuotas, rekognitionTps: 1 })).toBe(2);
    expect(consumerProcessCap('labelingFailed', defaultLabelingQuotas)).toBe(2);
  });
});

describe('Function: asyncRetryDelaysMs', () => {
  it("retries an async invoke twice, as Lambda does, but the reconciler's none, as its EventInvokeConfig says", () => {
    expect(asyncRetryDelaysMs('labeler', [1, 2])).toEqual([1, 2]);
    expect(asyncRetryDelaysMs('reconciler', [1, 2])).toEqual([]);
  });
});
