/**
 * The labeler: runs on every object created under the uploads prefix, asks
 * Rekognition for labels, stores them and publishes publishImageLabeled.
 * S3 invokes it asynchronously; events that still fail after the retries go
 * to labeling-failed (infra/labeling-recovery.ts), which marks their images
 * FAILED; what labeling-failed itself cannot handle lands in an encrypted SQS
 * dead-letter queue.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LambdaDestination as OnFailureFunction, SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UploadLimits } from '../api/limits.ts';
import { MediaLayout } from '../api/media.ts';
import { AuthMode, fields } from '../api/manifest.ts';
import { acknowledgeGuardRule, GuardRule } from './guard-policy.ts';
import { LabelingFailed } from './labeling-recovery.ts';
import { ManifestFunction } from './manifest-function.ts';

/**
 * Table actions functions/labeler/ performs: GetItem (read the PENDING image,
 * look up a stored result by content hash), PutItem (store that result),
 * BatchWriteItem (label entries), UpdateItem (conditional move to a terminal
 * status, catalog claims and counts), Query (the image's own partition, to
 * discard entries of an image deleted mid-labelling). Nothing reads the
 * index, so no index ARN.
 */
export const labelerTableActions = [
  'dynamodb:BatchWriteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/**
 * Rekognition's Detect* APIs take an S3 object, not a Rekognition resource,
 * so they support no resource-level permissions: Resource must be '*'.
 * Rekognition reads the object with the caller's credentials, hence s3:GetObject.
 */
export const labelerRekognitionActions = ['rekognition:DetectLabels', 'rekognition:DetectModerationLabels'] as const;

/** The IAM-authorized root fields: the labeler is the API's only IAM caller. */
export const iamFields = () => fields.filter((field) => field.auth.includes(AuthMode.IAM));

export interface LabelerProps {
  readonly bucket: IBucket;
  readonly table: ITable;
  readonly api: GraphqlApi;
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
   * How long S3's event may wait in Lambda's queue before it goes to the DLQ.
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
    const publishFields = iamFields();
    if (publishFields.length === 0) throw new Error('api/manifest.ts has no IAM field for the labeler to publish with');

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

    this.function = new ManifestFunction(this, 'Labeler', {
      name: 'labeler',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        IMAGES_TABLE: props.table.tableName,
        UPLOAD_BUCKET: props.bucket.bucketName,
        APPSYNC_URL: props.api.graphqlUrl,
      },
    }).function;

    this.onFailure = new LabelingFailed(this, 'Failed', {
      bucket: props.bucket,
      table: props.table,
      api: props.api,
      mutationFields: publishFields.map((field) => field.fieldName),
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
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

    this.grantLeastPrivilege(props, publishFields.map((field) => field.fieldName));

    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.function), {
      prefix: UploadLimits.keyPrefix,
    });
  }

  /** Exactly what the handler calls; no wildcard actions, no grantRead* helpers (they add Scan and more). */
  private grantLeastPrivilege(props: LabelerProps, mutationFields: readonly string[]): void {
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...labelerRekognitionActions], resources: ['*'] }),
    );
    // DeleteObject on uploads: an upload for a deleted image (its URL still valid) is removed (functions/labeler/label-image.ts).
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:DeleteObject'],
        resources: [props.bucket.arnForObjects(`${UploadLimits.keyPrefix}*`)],
      }),
    );
    // The kept original (a CopyObject: GetObject on the source above, PutObject here) and the gallery
    // thumbnail (functions/labeler/original.ts, thumbnail.ts); outside the uploads prefix, so no event loop.
    // DeleteObject: an image deleted while being labelled loses what was just written for it.
    const keptObjects = [MediaLayout.originalKeyPrefix, MediaLayout.thumbnailKeyPrefix].map((prefix) => props.bucket.arnForObjects(`${prefix}*`));
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:PutObject', 's3:DeleteObject'], resources: keptObjects }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...labelerTableActions], resources: [props.table.tableArn] }),
    );
    props.api.grantMutation(this.function, ...mutationFields);
  }
}
