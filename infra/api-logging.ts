/**
 * AppSync logging with a log group the stack owns. GraphqlApi's own logConfig
 * always adds a LogRetention custom resource (one more Lambda, which creates
 * the group outside CloudFormation, so DESTROY cannot delete it). Setting the
 * L1 LogConfig with our own role and LogGroup avoids both.
 */
import { RemovalPolicy } from 'aws-cdk-lib/core';
import { FieldLogLevel, type CfnGraphQLApi, type GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { appSyncServiceRole, sourceArnsOfAnyApi } from './appsync-service-role.ts';

export interface ApiLoggingProps {
  readonly api: GraphqlApi;
  /**
   * ERROR logs failed fields only; ALL logs every resolver evaluation.
   * @default FieldLogLevel.ERROR
   */
  readonly fieldLogLevel?: FieldLogLevel;
  /** @default RetentionDays.ONE_MONTH */
  readonly retention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class ApiLogging extends Construct {
  public readonly logGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: ApiLoggingProps) {
    super(scope, id);
    const cfnApi = props.api.node.defaultChild as CfnGraphQLApi | undefined;
    if (!cfnApi) throw new Error('ApiLogging needs a GraphqlApi created in this app');
    if (cfnApi.logConfig) throw new Error('pass no logConfig to the GraphqlApi: ApiLogging configures logging');

    // The name AppSync writes to; AppSync fixes it to the API id.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/appsync/apis/${props.api.apiId}`,
      retention: props.retention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Any API of this account and region: the API names this role, so the role cannot name the API (a cycle).
    const role = appSyncServiceRole(this, 'Role', {
      sourceArns: sourceArnsOfAnyApi(this),
      description: 'Lets AppSync write to its own log group',
    });
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    cfnApi.logConfig = {
      cloudWatchLogsRoleArn: role.roleArn,
      fieldLogLevel: props.fieldLogLevel ?? FieldLogLevel.ERROR,
      // Keeps request/response bodies (user input, image records) out of the logs.
      excludeVerboseContent: true,
    };
  }
}
