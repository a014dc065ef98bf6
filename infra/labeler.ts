/**
 * The labeler and the queue in front of it (api/labeling-queue.ts declares
 * both; this builds them): S3 sends every object created under the uploads
 * prefix to an encrypted, TLS-only SQS queue; an event source mapping hands
 * its messages to the labeler in batches, at most `maximumConcurrency`
 * batches at once (derived from the Rekognition TPS quota, never so many
 * that it, labeling-failed and the reconciler together hold more than half
 * the account's Lambda concurrency, and without reserved concurrency,
 * which would take from the account's pool), and deletes only what the
 * labeler's partial batch response does not return. A message received
 * maxReceiveCount times without an answer moves to the dead-letter queue,
 * whose own mapping feeds labeling-failed (infra/labeling-recovery.ts).
 * The labeler's role, with the ESM's sqs actions, and its environment are
 * derived from api/access.ts.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import { type GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  defaultLabelingQuotas,
  eventSourceMappings,
  QueueName,
  queues,
  type EventSourceMappingSpec,
  type LabelingQuotas,
} from '../api/labeling-queue.ts';
import { MediaLayout } from '../api/media.ts';
import { BucketQueueDestination } from './bucket-queue-destination.ts';
import { acknowledgeGuardRule, GuardRule } from './guard-policy.ts';
import { LabelingFailed } from './labeling-recovery.ts';
import { ManifestFunction } from './manifest-function.ts';
import { queueEventSource } from './queue-event-source.ts';

export interface LabelerProps {
  readonly bucket: IBucket;
  readonly table: ITable;
  readonly api: GraphqlApi;
  /** The completion callbacks' HMAC key (labeler and labeling-failed send callbacks). */
  readonly callbackSecret: ISecret;
  /**
   * Ask Rekognition for IMAGE_PROPERTIES too (Image.properties), which AWS charges on top of the labels.
   * @default false
   */
  readonly imageProperties?: boolean;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** For the log groups and the queues. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The Rekognition TPS and Lambda concurrency quotas the labeler's ESM
   * concurrency derives from (cdk.json context, infra/README.md).
   * @default defaultLabelingQuotas (5 TPS, 10 concurrent executions)
   */
  readonly quotas?: LabelingQuotas;
}

export class Labeler extends Construct {
  public readonly function: NodejsFunction;
  /** S3's ObjectCreated events under the uploads prefix, waiting for the labeler. */
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly eventSource: EventSourceMapping;
  /** labeling-failed, fed by the dead-letter queue. */
  public readonly onFailure: LabelingFailed;

  public constructor(scope: Construct, id: string, props: LabelerProps) {
    super(scope, id);
    const [labeling, deadLetters] = ([QueueName.labeling, QueueName.labelingDeadLetters] as const).map((queue) => {
      const spec = eventSourceMappings(props.quotas ?? defaultLabelingQuotas).find((mapping) => mapping.queue === queue);
      if (!spec) throw new Error(`api/labeling-queue.ts declares no event source mapping for ${queue}`);
      return spec;
    }) as [EventSourceMappingSpec, EventSourceMappingSpec];
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(queues[QueueName.labelingDeadLetters].retentionSeconds),
      visibilityTimeout: Duration.seconds(deadLetters.visibilityTimeoutSeconds),
      removalPolicy,
    });
    acknowledgeGuardRule(
      this.deadLetterQueue,
      GuardRule.sqsDeadLetterQueue,
      'This queue is itself the labelling queue\'s dead-letter queue; labeling-failed consumes it, and what it cannot handle stays here for 14 days.',
    );
    const redrive = queues[QueueName.labeling].redrive;
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(queues[QueueName.labeling].retentionSeconds),
      visibilityTimeout: Duration.seconds(labeling.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: redrive.maxReceiveCount },
      removalPolicy,
    });

    this.onFailure = new LabelingFailed(this, 'Failed', {
      table: props.table,
      api: props.api,
      callbackSecret: props.callbackSecret,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      deadLetterQueue: this.deadLetterQueue,
      eventSource: deadLetters,
    });
    this.function = new ManifestFunction(this, 'Labeler', {
      name: 'labeler',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      targets: {
        bucket: props.bucket,
        table: props.table,
        api: props.api,
        callbackSecret: props.callbackSecret,
        imageProperties: props.imageProperties ?? false,
        queues: { [QueueName.labeling]: this.queue },
      },
    }).function;
    this.eventSource = queueEventSource(this, 'FromQueue', this.function, this.queue, labeling);

    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new BucketQueueDestination(this.queue), {
      prefix: MediaLayout.uploadKeyPrefix,
    });
  }
}
