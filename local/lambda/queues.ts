/**
 * The queues and event source mappings of api/labeling-queue.ts, offline:
 * the same declaration infra/labeler.ts deploys, run by LocalQueue and
 * LocalEventSourceMapping. Each mapping polls with its function's role, as
 * Lambda's does: the role must allow the ESM's sqs actions on the queue's ARN
 * (derived from api/access.ts like every other grant), or the stack does not
 * start.
 */
import {
  esmQueueActions,
  eventSourceMappings,
  queues,
  type LabelingQuotas,
  type QueueName,
  type QueueSpec,
} from '../../api/labeling-queue.ts';
import { lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';
import { localQueueArn } from '../iam/local-arns.ts';
import { deniedMessage, type Principal } from '../iam/principals.ts';
import { LocalEventSourceMapping } from './event-source-mapping.ts';
import { EventSourceMappingError } from './errors.ts';
import { LocalQueue } from './queue.ts';

/**
 * Offline, a message that failed comes back after its visibility timeout ÷ 60
 * (6 s for the labelling queue's 6 min), as the local async retries wait
 * seconds where Lambda waits minutes; retention and receive counts are AWS's.
 */
export const offlineRedeliveryScale = 60;

export interface LocalQueuesOptions {
  readonly region: string;
  readonly quotas: LabelingQuotas;
  /** RequestResponse invoke of a manifest function. */
  readonly invoke: (name: LambdaFunctionName, event: unknown) => Promise<unknown>;
  /** The principal a function's role is (local/iam/function-roles.ts). */
  readonly roleOf: (name: LambdaFunctionName) => Principal | undefined;
  /** @default offlineRedeliveryScale */
  readonly redeliveryScale?: number;
}

export interface LocalQueues {
  /** SendMessage to a declared queue (what S3's notification does). */
  send(queue: QueueName, body: string): void;
  readonly queues: Readonly<Record<QueueName, LocalQueue>>;
  /** Stops every mapping's polling. */
  close(): void;
}

/** CreateEventSourceMapping's check: the function's role may call the ESM's actions on the queue. */
function authorizeMapping(principal: Principal | undefined, functionName: LambdaFunctionName, queueArn: string): void {
  for (const action of esmQueueActions) {
    if (deniedMessage(principal, [{ action, resource: queueArn }]) !== undefined) {
      throw new EventSourceMappingError(
        `The provided execution role of ${functionName} does not have permissions to call ${action.slice('sqs:'.length)} on SQS (${queueArn})`,
      );
    }
  }
}

export function startLocalQueues(options: LocalQueuesOptions): LocalQueues {
  const scale = options.redeliveryScale ?? offlineRedeliveryScale;
  const mappings = eventSourceMappings(options.quotas);
  const visibilityOf = (queue: QueueName) => {
    const mapping = mappings.find((candidate) => candidate.queue === queue);
    if (!mapping) throw new Error(`api/labeling-queue.ts declares no event source mapping for ${queue}`);
    return mapping.visibilityTimeoutSeconds;
  };

  // Dead-letter queues first: a queue's redrive names its dead-letter queue.
  const specs = Object.entries(queues) as [QueueName, QueueSpec][];
  const ordered = [...specs.filter(([, spec]) => !spec.redrive), ...specs.filter(([, spec]) => spec.redrive)];
  const built = {} as Record<QueueName, LocalQueue>;
  for (const [name, spec] of ordered) {
    built[name] = new LocalQueue({
      name,
      arn: localQueueArn(options.region, name),
      visibilityTimeoutMs: visibilityOf(name) * 1000,
      retentionMs: spec.retentionSeconds * 1000,
      ...(spec.redrive ? { redrive: { deadLetterQueue: built[spec.redrive.deadLetterQueue], maxReceiveCount: spec.redrive.maxReceiveCount } } : {}),
    });
  }

  const running = mappings.map((mapping) => {
    const queue = built[mapping.queue];
    authorizeMapping(options.roleOf(mapping.function), mapping.function, queue.arn);
    return new LocalEventSourceMapping({
      queue,
      spec: mapping,
      region: options.region,
      invoke: (event) => options.invoke(mapping.function, event),
      functionTimeoutMs: lambdaFunctions[mapping.function].timeoutSeconds * 1000,
      redeliveryDelayMs: (mapping.visibilityTimeoutSeconds * 1000) / scale,
      onInvokeError: (error) => console.error(`[lambda] ${mapping.function} failed a batch from ${mapping.queue}; it will be received again:`, error),
    });
  });

  return {
    send: (queue, body) => void built[queue].send(body, { senderId: 'AIDALABELCASTLOCALS3' }),
    queues: built,
    close() {
      for (const mapping of running) mapping.close();
    },
  };
}
