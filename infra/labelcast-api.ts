/**
 * The AppSync GraphQL API: the composed schema (schema.graphql plus the
 * manifest's auth directives), three auth modes, logging and X-Ray, and the
 * manifest's data sources and resolvers.
 */
import type { RemovalPolicy } from 'aws-cdk-lib/core';
import { Definition, GraphqlApi, IntrospectionConfig, type FieldLogLevel } from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiLimits, type ApiStage } from '../api/limits.ts';
import type { LambdaFunctionName } from '../api/manifest.ts';
import { composeSchema } from '../api/schema.ts';
import { ApiLogging } from './api-logging.ts';
import { acknowledgeGuardRule, GuardRule } from './guard-policy.ts';
import { apiAuthorizationConfig, deployedAuthModes } from './api-auth.ts';
import { SdlSchema } from './graphql-schema.ts';
import { ManifestWiring } from './manifest-wiring.ts';

export interface LabelcastApiProps {
  /** @default 'labelcast' */
  readonly name?: string;
  readonly userPool: IUserPool;
  readonly table: ITable;
  /** The deployed function for each manifest Lambda a LAMBDA data source names. */
  readonly functions: Partial<Record<LambdaFunctionName, IFunction>>;
  /** When the API key expires (AppSync: 1 to 365 days away); a fixed date, so every synth is the same. */
  readonly apiKeyExpires: Date;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * ALL logs every resolver's request and response, data included.
   * @default FieldLogLevel.ERROR
   */
  readonly fieldLogLevel?: FieldLogLevel;
  /** For the API's log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Picks the query depth, resolver count and introspection settings of api/limits.ts. @default 'prod' */
  readonly stage?: ApiStage;
  /** AppSync environment variables, read by resolvers as `ctx.env`. @default - none */
  readonly environmentVariables?: Readonly<Record<string, string>>;
}

export class LabelcastApi extends Construct {
  public readonly api: GraphqlApi;
  public readonly wiring: ManifestWiring;
  public readonly logging: ApiLogging;

  public constructor(scope: Construct, id: string, props: LabelcastApiProps) {
    super(scope, id);
    const limits = ApiLimits[props.stage ?? 'prod'];
    this.api = new GraphqlApi(this, 'Api', {
      name: props.name ?? 'labelcast',
      definition: Definition.fromSchema(new SdlSchema(composeSchema({ authModes: deployedAuthModes }))),
      authorizationConfig: apiAuthorizationConfig({
        userPool: props.userPool,
        apiKeyExpires: props.apiKeyExpires,
      }),
      xrayEnabled: true,
      queryDepthLimit: limits.queryDepthLimit,
      resolverCountLimit: limits.resolverCountLimit,
      introspectionConfig: limits.introspection ? IntrospectionConfig.ENABLED : IntrospectionConfig.DISABLED,
      ...(props.environmentVariables ? { environmentVariables: { ...props.environmentVariables } } : {}),
    });
    acknowledgeGuardRule(
      this.api,
      GuardRule.appsyncPrivateApi,
      'Browsers and the CLI call the API over the internet; a private API would need a VPC client.',
    );
    acknowledgeGuardRule(
      this.api,
      GuardRule.appsyncApiKeyAuth,
      'API_KEY is the contract\'s default mode for anonymous clients; IAM and Cognito are there too, and the IAM-only mutation refuses API keys.',
    );
    this.logging = new ApiLogging(this, 'Logging', {
      api: this.api,
      fieldLogLevel: props.fieldLogLevel,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.wiring = new ManifestWiring(this, 'Wiring', {
      api: this.api,
      table: props.table,
      functions: props.functions,
    });
  }
}
