/** An SQS event source mapping of api/labeling-queue.ts, as CDK builds it. */
import { Duration } from 'aws-cdk-lib/core';
import { EventSourceMapping, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { sqsBatchingProblem, type EventSourceMappingSpec } from '../api/labeling-queue.ts';

/**
 * The mapping, created once the function's role may poll the queue. No SqsEventSource: it would grant the queue's actions itself, while the
 * function's role is derived from api/access.ts (which adds the ESM's sqs
 * actions for each queue a mapping feeds the function from).
 */
export function queueEventSource(scope: Construct, id: string, fn: IFunction, queue: IQueue, spec: EventSourceMappingSpec): EventSourceMapping {
  // What CreateEventSourceMapping would refuse stops the synth instead (the local ESM refuses it with the same check).
  const problem = sqsBatchingProblem(spec);
  if (problem !== undefined) throw new Error(`event source mapping ${id} of ${fn.node.path}: ${problem}`);
  const mapping = new EventSourceMapping(scope, id, {
    target: fn,
    eventSourceArn: queue.queueArn,
    batchSize: spec.batchSize,
    ...(spec.maximumBatchingWindowSeconds > 0 ? { maxBatchingWindow: Duration.seconds(spec.maximumBatchingWindowSeconds) } : {}),
    maxConcurrency: spec.maximumConcurrency,
    reportBatchItemFailures: spec.reportBatchItemFailures,
  });
  // CreateEventSourceMapping checks that the role may receive from the queue: its policy must exist first.
  if (fn.role) mapping.node.addDependency(fn.role);
  return mapping;
}
