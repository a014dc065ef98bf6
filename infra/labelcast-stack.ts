/**
 * The whole deployment: upload bucket, images table, Cognito user pool, the
 * manifest's Lambda functions (each with the role and environment its
 * api/access.ts entry declares) and the AppSync API, wired from api/manifest.ts.
 * Environment-agnostic (no account/region, no context lookups), so
 * `cdk synth` needs no AWS credentials or network.
 */
import { Stack, type StackProps } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { CallbackUrlPolicy, CallbackSettings } from '../api/callback.ts';
import { ImagesTableLayout } from '../api/table.ts';
import type { LabelingQuotas } from '../api/labeling-queue.ts';
import { ApiRateLimitSetting, type ApiRateLimitRule } from '../api/rate-limit.ts';
import { ApiRateLimit } from './api-rate-limit.ts';
import { ApiUserPool } from './api-user-pool.ts';
import { CallbackSecret } from './callback-secret.ts';
import { ownCdkHandlerLogGroups } from './cdk-handler-logs.ts';
import { acknowledgeGuardRule, GuardRule } from './guard-policy.ts';
import { ImageDeleter } from './image-deleter.ts';
import { ImagesTable } from './images-table.ts';
import { Labeler } from './labeler.ts';
import { Reconciler } from './labeling-recovery.ts';
import { LabelcastApi } from './labelcast-api.ts';
import { ObjectPresigner } from './object-presigner.ts';
import { addStackOutputs } from './stack-outputs.ts';
import { Stage, stageSettings } from './stage.ts';
import { UploadBucket } from './upload-bucket.ts';

export interface LabelcastStackProps extends StackProps {
  /** dev is disposable (DESTROY everything); prod retains its data. */
  readonly stage: Stage;
  /**
   * Browser origins allowed to PUT uploads.
   * @default ['*']
   */
  readonly allowedOrigins?: readonly string[];
  /** When the API key expires (infra/api-key-expiry.ts): a fixed date, so every synth is the same. */
  readonly apiKeyExpires: Date;
  /**
   * The Rekognition TPS and Lambda concurrency quotas the labeler's queue
   * consumption derives from (api/labeling-queue.ts; cdk.json context
   * `rekognitionTps` and `lambdaConcurrency`).
   * @default defaultLabelingQuotas
   */
  readonly labelingQuotas?: LabelingQuotas;
  /**
   * The labeler also asks Rekognition for IMAGE_PROPERTIES (Image.properties; charged extra by AWS).
   * @default false
   */
  readonly imageProperties?: boolean;
  /**
   * The API's request-rate limit per client IP, an AWS WAF rate-based rule (api/rate-limit.ts; cdk.json context
   * `apiRateLimit` and `apiRateLimitWindowSeconds`).
   * @default ApiRateLimitSetting.defaults
   */
  readonly apiRateLimit?: ApiRateLimitRule;
}

export class LabelcastStack extends Stack {
  public readonly uploads: UploadBucket;
  public readonly images: ImagesTable;
  public readonly users: ApiUserPool;
  public readonly presignUpload: ObjectPresigner;
  public readonly presignDownload: ObjectPresigner;
  public readonly imageDeleter: ImageDeleter;
  public readonly graphql: LabelcastApi;
  public readonly rateLimit: ApiRateLimit;
  public readonly labeler: Labeler;
  public readonly reconciler: Reconciler;
  public readonly callbackSecret: CallbackSecret;

  public constructor(scope: Construct, id: string, props: LabelcastStackProps) {
    super(scope, id, props);
    const settings = stageSettings(props.stage);
    const { removalPolicy, logRetention } = settings;

    this.uploads = new UploadBucket(this, 'Uploads', {
      allowedOrigins: props.allowedOrigins,
      removalPolicy,
      autoDeleteObjects: settings.autoDeleteObjects,
    });
    this.images = new ImagesTable(this, 'Images', {
      removalPolicy,
      pointInTimeRecovery: settings.pointInTimeRecovery,
    });
    this.users = new ApiUserPool(this, 'Users', { removalPolicy });
    this.callbackSecret = new CallbackSecret(this, 'Callbacks', { removalPolicy });
    this.presignUpload = new ObjectPresigner(this, 'Presign', {
      name: 'presignUpload',
      bucket: this.uploads.bucket,
      logRetention,
      removalPolicy,
    });
    this.presignDownload = new ObjectPresigner(this, 'PresignRead', {
      name: 'presignDownload',
      bucket: this.uploads.bucket,
      logRetention,
      removalPolicy,
    });
    this.imageDeleter = new ImageDeleter(this, 'Deletion', {
      bucket: this.uploads.bucket,
      table: this.images.table,
      logRetention,
      removalPolicy,
    });
    this.graphql = new LabelcastApi(this, 'Graphql', {
      name: `labelcast-${props.stage}`,
      userPool: this.users.userPool,
      table: this.images.table,
      functions: {
        presignUpload: this.presignUpload.function,
        presignDownload: this.presignDownload.function,
        deleteImage: this.imageDeleter.function,
      },
      logRetention,
      removalPolicy,
      stage: props.stage,
      apiKeyExpires: props.apiKeyExpires,
      // requestUpload takes https callback URLs only on AWS; BatchGetItem names the images table.
      environmentVariables: {
        [CallbackSettings.urlPolicyVariable]: CallbackUrlPolicy.HTTPS_ONLY,
        [ImagesTableLayout.tableNameVariable]: this.images.table.tableName,
      },
    });
    this.rateLimit = new ApiRateLimit(this, 'RateLimit', {
      api: this.graphql.api,
      rule: props.apiRateLimit ?? ApiRateLimitSetting.defaults,
      metricPrefix: `labelcast-${props.stage}`,
    });
    this.labeler = new Labeler(this, 'Labeling', {
      bucket: this.uploads.bucket,
      table: this.images.table,
      api: this.graphql.api,
      callbackSecret: this.callbackSecret.secret,
      logRetention,
      removalPolicy,
      imageProperties: props.imageProperties,
      quotas: props.labelingQuotas,
    });
    this.reconciler = new Reconciler(this, 'Reconciliation', {
      bucket: this.uploads.bucket,
      table: this.images.table,
      api: this.graphql.api,
      callbackSecret: this.callbackSecret.secret,
      logRetention,
      removalPolicy,
    });

    // Last, once CDK's own handlers (bucket auto-delete, bucket notifications) exist.
    ownCdkHandlerLogGroups(this, { retention: logRetention, removalPolicy });

    this.acknowledgeGuardRules(props.stage);

    const apiKey = this.graphql.api.apiKey;
    if (!apiKey) throw new Error('the API has no API key; API_KEY must be one of its auth modes');
    addStackOutputs(this, {
      graphqlUrl: this.graphql.api.graphqlUrl,
      apiKey,
      userPoolId: this.users.userPool.userPoolId,
      userPoolClientId: this.users.client.userPoolClientId,
      uploadBucketName: this.uploads.bucket.bucketName,
      imagesTableName: this.images.table.tableName,
      labelerDeadLetterQueueUrl: this.labeler.deadLetterQueue.queueUrl,
    });
  }

  /** Control Tower rules that do not fit the whole stack, or the disposable dev stage. */
  private acknowledgeGuardRules(stage: Stage): void {
    acknowledgeGuardRule(
      this,
      GuardRule.lambdaInVpc,
      'Every function (ours and CDK\'s custom-resource handlers) calls only public AWS endpoints; a VPC would add NAT or endpoints and cold-start cost for nothing.',
    );
    acknowledgeGuardRule(
      this,
      GuardRule.logGroupKmsEncrypted,
      'CloudWatch Logs encrypts at rest by default; logs exclude request bodies (excludeVerboseContent), so a customer-managed key is not warranted.',
    );
    if (stage === Stage.DEV) {
      acknowledgeGuardRule(this, GuardRule.dynamoDbPitr, 'dev data is disposable; prod enables point-in-time recovery.');
      acknowledgeGuardRule(this, GuardRule.logGroupRetentionOneYear, 'dev logs are short-lived; prod keeps them a year.');
    }
  }
}
