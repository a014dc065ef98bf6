/**
 * A manifest function's role and environment, derived from its declared
 * access (api/access.ts): nothing here lists an action, a prefix or a
 * variable of its own.
 */
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { accessOf, EnvironmentSource, policyStatementsFor, type PolicyStatementJson } from '../api/access.ts';
import { configuredEnvironment } from '../api/function-environment.ts';
import { imagePropertiesVariableValue } from '../api/image-properties-setting.ts';
import type { QueueName } from '../api/labeling-queue.ts';
import type { LambdaFunctionName } from '../api/manifest.ts';

/** The deployed resources a function's access names. */
export interface FunctionTargets {
  /** Needed by functions with object or list access, or UPLOAD_BUCKET. @default - none */
  readonly bucket?: IBucket;
  /** Needed by functions with table or index access, or IMAGES_TABLE. @default - none */
  readonly table?: ITable;
  /** Needed by functions that publish (APPSYNC_URL, appsync:GraphQL). @default - none */
  readonly api?: IGraphqlApi & { readonly graphqlUrl: string };
  /** Needed by functions that send completion callbacks. @default - none */
  readonly callbackSecret?: ISecret;
  /** Whether the labeler requests IMAGE_PROPERTIES (api/image-properties-setting.ts); needed by the labeler. @default - none */
  readonly imageProperties?: boolean;
  /** The functions it invokes, exactly those its access declares. @default - none */
  readonly invokes?: Readonly<Partial<Record<LambdaFunctionName, IFunction>>>;
  /** The queues an event source mapping feeds it from (api/labeling-queue.ts): its role gets the ESM's sqs actions. @default - none */
  readonly queues?: Readonly<Partial<Record<QueueName, IQueue>>>;
}

/**
 * The function's configured environment variables (api/function-environment.ts), as CloudFormation values; the
 * resources' names and URL, and the callback secret, are tokens until deploy.
 */
export function deployedEnvironment(name: LambdaFunctionName, targets: FunctionTargets): Record<string, string> {
  return configuredEnvironment(name, {
    ...(targets.bucket ? { [EnvironmentSource.bucketName]: targets.bucket.bucketName } : {}),
    ...(targets.table ? { [EnvironmentSource.tableName]: targets.table.tableName } : {}),
    ...(targets.api ? { [EnvironmentSource.graphqlUrl]: targets.api.graphqlUrl } : {}),
    // A dynamic reference: CloudFormation resolves it at deploy time, so the value is in neither template nor asset.
    ...(targets.callbackSecret ? { [EnvironmentSource.callbackSecret]: targets.callbackSecret.secretValue.unsafeUnwrap() } : {}),
    ...(targets.imageProperties !== undefined ? { [EnvironmentSource.imageProperties]: imagePropertiesVariableValue(targets.imageProperties) } : {}),
  });
}

/** The statements the function's role needs, with the deployed ARNs. */
export function deployedPolicyStatements(name: LambdaFunctionName, targets: FunctionTargets): PolicyStatementJson[] {
  const declared = new Set(accessOf(name).invoke);
  const given = Object.keys(targets.invokes ?? {}) as LambdaFunctionName[];
  const extra = given.filter((target) => !declared.has(target));
  if (extra.length > 0) throw new Error(`function ${name} is given ${extra.join(', ')} to invoke, which api/access.ts does not declare`);
  return policyStatementsFor(name, {
    bucket: targets.bucket?.bucketArn,
    table: targets.table?.tableArn,
    graphqlApi: targets.api?.arn,
    functions: Object.fromEntries(given.map((target) => [target, targets.invokes?.[target]?.functionArn])),
    queues: Object.fromEntries(Object.entries(targets.queues ?? {}).map(([queue, resource]) => [queue, resource?.queueArn])),
  });
}

/** Adds each derived statement to the function's role. */
export function grantDeclaredAccess(fn: IFunction, name: LambdaFunctionName, targets: FunctionTargets): void {
  for (const statement of deployedPolicyStatements(name, targets)) {
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...statement.Action],
        resources: [...statement.Resource],
        ...(statement.Condition ? { conditions: statement.Condition } : {}),
      }),
    );
  }
}
