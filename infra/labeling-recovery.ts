/**
 * What makes sure no image stays PENDING on AWS:
 * - LabelingFailed: the labeler's async on-failure destination; marks the
 *   event's images FAILED and publishes them (functions/labeling-failed/).
 * - Reconciler: on an EventBridge schedule, re-drives PENDING images whose
 *   object exists (an in-place copy fires ObjectCreated:Copy) and fails
 *   tickets whose upload URL expired unused (functions/reconciler/).
 */
import { Duration } from 'aws-cdk-lib';
import { type GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { UploadLimits } from '../api/limits.ts';
import { lambdaFunctions } from '../api/manifest.ts';
import { ImagesTableLayout } from '../api/table.ts';
import { ManifestFunction, type FunctionLogProps } from './manifest-function.ts';

/** Table actions of markImageFailed (functions/labeling-failed/mark-failed.ts): read the image, conditional update. */
export const markFailedTableActions = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

export interface RecoveryFunctionProps extends FunctionLogProps {
  readonly bucket: IBucket;
  readonly table: ITable;
  readonly api: GraphqlApi;
  /** The IAM mutation fields the function publishes with. */
  readonly mutationFields: readonly string[];
}

const environment = (props: RecoveryFunctionProps) => ({
  IMAGES_TABLE: props.table.tableName,
  UPLOAD_BUCKET: props.bucket.bucketName,
  APPSYNC_URL: props.api.graphqlUrl,
});

export class LabelingFailed extends Construct {
  public readonly function: NodejsFunction;

  public constructor(scope: Construct, id: string, props: RecoveryFunctionProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'Function', {
      name: 'labelingFailed',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      environment: environment(props),
    }).function;
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...markFailedTableActions], resources: [props.table.tableArn] }),
    );
    props.api.grantMutation(this.function, ...props.mutationFields);
  }
}

export class Reconciler extends Construct {
  public readonly function: NodejsFunction;
  public readonly schedule: Rule;

  public constructor(scope: Construct, id: string, props: RecoveryFunctionProps) {
    super(scope, id);
    this.function = new ManifestFunction(this, 'Function', {
      name: 'reconciler',
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      // One run at a time: overlapping runs would only re-drive the same images twice.
      reservedConcurrentExecutions: 1,
      environment: environment(props),
    }).function;
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${ImagesTableLayout.byStatusIndex.indexName}`],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...markFailedTableActions], resources: [props.table.tableArn] }),
    );
    // HeadObject needs s3:GetObject; the in-place copy reads and writes the same key.
    this.function.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [props.bucket.arnForObjects(`${UploadLimits.keyPrefix}*`)],
      }),
    );
    props.api.grantMutation(this.function, ...props.mutationFields);
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the labelcast reconciler',
      schedule: Schedule.rate(Duration.minutes(lambdaFunctions.reconciler.scheduleMinutes)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 2 })],
    });
  }
}
