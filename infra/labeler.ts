/**
 * The labeler: runs on every object created under the uploads prefix, asks
 * Rekognition for labels, stores them and publishes publishImageLabeled. Its
 * role and environment are derived from api/access.ts.
 * S3 invokes it asynchronously; events that still fail after the retries go
 * to labeling-failed (infra/labeling-recovery.ts), which marks their images
 * FAILED; what labeling-failed itself cannot handle lands in an encrypted SQS
 * dead-letter queue.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LambdaDestination as OnFailureFunction, SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MediaLayout } from '../api/media.ts';
import { acknowledgeGuardRule, GuardRule } from './guard-policy.ts';
import { LabelingFailed } from './labeling-recovery.ts';
import { ManifestFunction } from './manifest-function.ts';

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
  /** For the log group and the dead-letter queue. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Caps concurrent labelings, e.g. to stay under Rekognition's TPS quota.
   * @default - no reserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Retries of a failed asynchronous invocation.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * How long S3's event may wait in Lambda's queue before it goes to
   * labeling-failed (the on-failure destination; the DLQ only takes what
   * labeling-failed cannot handle).
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
}

export class Labeler extends Construct {
  public readonly function: NodejsFunction;
  public readonly deadLetterQueue: Queue;
  public readonly onFailure: LabelingFailed;

  public constructor(scope: Construct, id: string, props: LabelerProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? 2;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 2) {
      throw new Error(`retryAttempts must be 0, 1 or 2 (Lambda's limit), got ${retryAttempts}`);
    }
    const maxEventAge = props.maxEventAge ?? Duration.hours(6);

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledgeGuardRule(
      this.deadLetterQueue,
      GuardRule.sqsDeadLetterQueue,
      'This queue is itself the dead letter store (labeling-failed\'s on-failure destination); nothing consumes it automatically, so it needs no DLQ.',
    );

    // Its on-failure destination first: the labeler's role may invoke it (api/access.ts).
    this.onFailure = new LabelingFailed(this, 'Failed', {
      table: props.table,
      api: props.api,
      callbackSecret: props.callbackSecret,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.function = new ManifestFunction(this, 'Labeler', {
      name: 'labeler',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      targets: {
        bucket: props.bucket,
        table: props.table,
        api: props.api,
        callbackSecret: props.callbackSecret,
        imageProperties: props.imageProperties ?? false,
        invokes: { labelingFailed: this.onFailure.function },
      },
    }).function;
    this.function.configureAsyncInvoke({
      retryAttempts,
      maxEventAge,
      onFailure: new OnFailureFunction(this.onFailure.function),
    });
    this.onFailure.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.function), {
      prefix: MediaLayout.uploadKeyPrefix,
    });
  }
}
