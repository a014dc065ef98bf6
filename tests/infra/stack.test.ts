import type { CfnElement } from 'aws-cdk-lib/core';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MediaLayout, uploadBucketCors } from '../../api/media.ts';
import { accessOf } from '../../api/access.ts';
import { dataSources, fields, lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';
import { composeSchema } from '../../api/schema.ts';
import { ImagesTableLayout } from '../../api/table.ts';
import { imagesTableDefinition } from '../../local/dynamodb/index.ts';
import { deployedAuthModes } from '../../infra/api-auth.ts';
import { defaultApiKeyExpiry } from '../../infra/api-key-expiry.ts';
import { StackOutput } from '../../infra/stack-outputs.ts';
import { Stage } from '../../infra/stage.ts';
import { actionsOf, allPolicyStatements, flatten, resourcesOf, synthStage } from './synth.ts';

const dev = () => synthStage(Stage.DEV);
const prod = () => synthStage(Stage.PROD);

// Synthesis (without Lambda bundling) happens here, under the hook timeout, not in the first test.
// Two synths: on 2 shared cores they can take longer than the default hook timeout.
beforeAll(() => {
  dev();
  prod();
}, 240_000);

const logicalId = (construct: IConstruct) => {
  const { labelcast } = dev();
  return labelcast.stack.getLogicalId(construct.node.defaultChild as CfnElement);
};

describe('upload bucket', () => {
  it('blocks public access, encrypts with SSE-S3 and denies plain HTTP', () => {
    const { template } = dev();
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('deploys the one CORS rule of api/media.ts (browsers PUT and GET), from any origin by default', () => {
    // The local S3 configures the same declaration (tests/local-s3/local-s3.test.ts).
    dev().template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          {
            AllowedMethods: ['PUT', 'GET'],
            AllowedOrigins: ['*'],
            AllowedHeaders: [...uploadBucketCors.allowedHeaders],
            ExposedHeaders: [...uploadBucketCors.exposedHeaders],
            MaxAge: uploadBucketCors.maxAgeSeconds,
          },
        ],
      },
    });
  });

  it.each([Stage.DEV, Stage.PROD])('in %s aborts multipart uploads and expires only the uploads landing zone, after a day', (stage) => {
    const buckets = Object.values(synthStage(stage).template.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(1);
    // Every rule: kept originals (images/) and thumbnails/ must match none that expires them.
    expect(buckets[0].Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'abort-incomplete-multipart-uploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
      { Id: 'expire-uploads', Prefix: MediaLayout.uploadKeyPrefix, ExpirationInDays: 1, Status: 'Enabled' },
    ]);
    expect([MediaLayout.originalKeyPrefix, MediaLayout.thumbnailKeyPrefix].some((prefix) => prefix.startsWith(MediaLayout.uploadKeyPrefix))).toBe(false);
  });
});

describe('stages', () => {
  it('dev deletes everything: DESTROY policies and the auto-delete custom resource', () => {
    const { template } = dev();
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::Cognito::UserPool', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue']) {
      const resources = template.findResources(type);
      expect(Object.keys(resources).length, type).toBeGreaterThan(0);
      for (const resource of Object.values(resources)) expect(resource.DeletionPolicy, type).toBe('Delete');
    }
  });

  it('prod retains its data, has no auto-delete and enables point-in-time recovery', () => {
    const { template } = prod();
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::Cognito::UserPool', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue']) {
      for (const resource of Object.values(template.findResources(type))) expect(resource.DeletionPolicy, type).toBe('Retain');
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });
});

describe('user pool', () => {
  it('leaves UsernameConfiguration out (Cognito: case-sensitive), since adding it to a deployed pool fails its update', () => {
    dev().template.hasResourceProperties('AWS::Cognito::UserPool', { UsernameConfiguration: Match.absent() });
  });
});

describe('user pool client', () => {
  it('signs in with SRP only: no OAuth grants, scopes or callback URLs', () => {
    dev().template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    dev().template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlowsUserPoolClient: false,
      AllowedOAuthFlows: Match.absent(),
      AllowedOAuthScopes: Match.absent(),
      CallbackURLs: Match.absent(),
    });
  });

  it('states the token lifetimes and preventUserExistenceErrors the local pool reads (api/user-pool-settings.ts)', () => {
    dev().template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
      AuthSessionValidity: 3,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      PreventUserExistenceErrors: 'ENABLED',
    });
  });
});

describe('images table', () => {
  it('is on-demand with pk/sk; byOwner projects keys only, the sparse byStatus what the reconciler reads; no label index (entries are table items)', () => {
    const layout = ImagesTableLayout;
    dev().template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: layout.partitionKey, KeyType: 'HASH' },
        { AttributeName: layout.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byOwner',
          KeySchema: [
            { AttributeName: 'owner', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'recoveryStatus', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['id', 'contentType'] },
        },
      ],
    });
  });
});

describe('images table, deployed and offline', () => {
  it('is the same definition on AWS and offline: keys, attribute types, indexes and projections', () => {
    // GIVEN the offline table's CreateTable input (local/dynamodb/images-table.ts)
    const offline = imagesTableDefinition('images');
    // WHEN the stack is synthesized
    const [deployed] = Object.values(dev().template.findResources('AWS::DynamoDB::Table')) as { Properties: Record<string, unknown> }[];
    // THEN both come from ImagesTableLayout alike
    const sortedBy = <T,>(items: readonly T[], key: (item: T) => string) => [...items].sort((a, b) => key(a).localeCompare(key(b)));
    const attributes = (items: unknown) => sortedBy(items as { AttributeName: string }[], (item) => item.AttributeName);
    expect(attributes(deployed!.Properties.AttributeDefinitions)).toEqual(attributes(offline.AttributeDefinitions));
    expect(deployed!.Properties.KeySchema).toEqual(offline.KeySchema);
    expect(deployed!.Properties.GlobalSecondaryIndexes).toEqual(offline.GlobalSecondaryIndexes);
    expect(deployed!.Properties.BillingMode).toBe(offline.BillingMode);
  });
});

describe('least privilege', () => {
  it('no policy anywhere allows dynamodb:Scan, a wildcard action or a whole service', () => {
    for (const stage of [Stage.DEV, Stage.PROD]) {
      const statements = allPolicyStatements(synthStage(stage).template).filter((s) => s.Effect === 'Allow');
      expect(statements.length).toBeGreaterThan(0);
      for (const action of statements.flatMap(actionsOf)) {
        expect(action).not.toBe('dynamodb:Scan');
        expect(action).not.toMatch(/\*/);
      }
    }
  });

  // Each function's role against its declared access: tests/infra/function-access.test.ts.
  it('the only appsync:GraphQL grants are the publishImageLabeled mutation, one per function whose access publishes', () => {
    const publishers = (Object.keys(lambdaFunctions) as LambdaFunctionName[]).filter((name) => accessOf(name).publish.length > 0);
    const graphql = allPolicyStatements(dev().template).filter((s) => actionsOf(s).includes('appsync:GraphQL'));
    expect(publishers).toEqual(['labeler', 'labelingFailed', 'reconciler']);
    expect(graphql).toHaveLength(publishers.length);
    for (const statement of graphql) {
      const resources = [statement.Resource].flat().map(flatten);
      expect(resources).toHaveLength(1);
      expect(resources[0]).toMatch(/\/types\/Mutation\/fields\/publishImageLabeled$/);
    }
  });

  it('runs the reconciler on a schedule', () => {
    const { labelcast, template } = dev();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${lambdaFunctions.reconciler.scheduleMinutes} minutes)`,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(labelcast.stack.reconciler.function), 'Arn'] } })],
    });
  });

  it('Image.url and Image.thumbnailUrl are BatchInvoke resolvers on the presign-download function', () => {
    const { template } = dev();
    for (const fieldName of ['url', 'thumbnailUrl']) {
      template.hasResourceProperties('AWS::AppSync::Resolver', { TypeName: 'Image', FieldName: fieldName, MaxBatchSize: 100 });
    }
  });

  it("the DynamoDB data source may run only its resolvers' operations", () => {
    const { labelcast } = dev();
    const dataSource = labelcast.stack.graphql.wiring.dataSources.get('imagesTable') as unknown as { grantedActions: string[] };
    expect(dataSource.grantedActions).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
  });

  it('tells the resolvers the real table name, for BatchGetItem', () => {
    const { labelcast, template } = dev();
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      EnvironmentVariables: Match.objectLike({ IMAGES_TABLE_NAME: { Ref: logicalId(labelcast.stack.images.table) } }),
    });
  });
});

describe('AppSync service roles', () => {
  type TrustStatement = { Principal?: { Service?: unknown }; Condition?: Record<string, Record<string, unknown>> };
  const trustOf = (role: { Properties?: Record<string, unknown> }) =>
    ((role.Properties?.AssumeRolePolicyDocument as { Statement: TrustStatement[] }).Statement ?? []);
  const appSyncRoles = (resources: ReturnType<typeof resourcesOf>) =>
    Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::IAM::Role' && trustOf(resource).some((statement) => statement.Principal?.Service === 'appsync.amazonaws.com'),
    );

  it('may be assumed by AppSync only for this account and this API (data sources) or an API of this account and region (logging)', () => {
    const { labelcast, template } = dev();
    const resources = resourcesOf(template);
    const apiArn = { 'Fn::GetAtt': [logicalId(labelcast.stack.graphql.api), 'Arn'] };
    const dataSourceRoleIds = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::AppSync::DataSource' && resource.Properties?.ServiceRoleArn)
      .map((resource) => (resource.Properties?.ServiceRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    const loggingRoleId = labelcast.stack.getLogicalId(labelcast.stack.graphql.logging.node.findChild('Role').node.defaultChild as CfnElement);
    const roles = appSyncRoles(resources);
    expect(roles.map(([id]) => id).sort()).toEqual([...dataSourceRoleIds, loggingRoleId].sort());
    expect(dataSourceRoleIds).toHaveLength(Object.values(dataSources).filter((spec) => spec.kind !== 'NONE').length);
    for (const [id, role] of roles) {
      for (const statement of trustOf(role)) {
        expect(statement.Condition?.StringEquals, id).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
        const sourceArns = statement.Condition?.ArnLike?.['aws:SourceArn'];
        if (id === loggingRoleId) {
          expect(flatten(sourceArns), id).toBe('arn:${AWS::Partition}:appsync:${AWS::Region}:${AWS::AccountId}:apis/*');
        } else {
          expect(sourceArns, id).toEqual([apiArn, { 'Fn::Join': ['', [apiArn, '/*']] }]);
        }
      }
    }
  });
  // No dependency cycle either: Template.fromStack (tests/infra/synth.ts) refuses a cyclic template, as the
  // logging role naming the API's own ARN would make one (the API names the role in its LogConfig).
});

describe('AppSync API', () => {
  it('deploys the composed schema', () => {
    dev().template.hasResourceProperties('AWS::AppSync::GraphQLSchema', {
      Definition: composeSchema({ authModes: deployedAuthModes }),
    });
  });

  it('defaults to API key, with IAM and the stack\'s Cognito user pool as additional modes', () => {
    const { labelcast, template } = dev();
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'API_KEY',
      AdditionalAuthenticationProviders: [
        { AuthenticationType: 'AWS_IAM' },
        {
          AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
          UserPoolConfig: Match.objectLike({ UserPoolId: { Ref: logicalId(labelcast.stack.users.userPool) } }),
        },
      ],
      XrayEnabled: true,
      LogConfig: Match.objectLike({ FieldLogLevel: 'ERROR', ExcludeVerboseContent: true }),
    });
    template.resourceCountIs('AWS::AppSync::ApiKey', 1);
    // A fixed date (infra/api-key-expiry.ts), not "a year after this synth".
    const [apiKey] = Object.values(template.findResources('AWS::AppSync::ApiKey'));
    expect(apiKey?.Properties.Expires).toBe(defaultApiKeyExpiry(new Date()).getTime() / 1000);
  });

  it('has one data source per manifest data source, of the right kind', () => {
    const { template } = dev();
    const typeFor = { DYNAMODB: 'AMAZON_DYNAMODB', LAMBDA: 'AWS_LAMBDA', NONE: 'NONE' } as const;
    const deployed = Object.values(template.findResources('AWS::AppSync::DataSource')).map((ds) => [ds.Properties.Name, ds.Properties.Type]);
    expect(deployed.sort()).toEqual(Object.entries(dataSources).map(([name, spec]) => [name, typeFor[spec.kind]]).sort());
  });

  it('has a JS resolver for every manifest field, and pipeline functions in order', () => {
    const { template } = dev();
    const resources = resourcesOf(template);
    const resolvers = Object.values(template.findResources('AWS::AppSync::Resolver'));
    expect(resolvers).toHaveLength(fields.length);
    const functionNames = new Map(
      Object.entries(template.findResources('AWS::AppSync::FunctionConfiguration')).map(([id, fn]) => [id, fn.Properties.Name as string]),
    );
    for (const field of fields) {
      const resolver = resolvers.find((r) => r.Properties.TypeName === field.typeName && r.Properties.FieldName === field.fieldName);
      expect(resolver, `${field.typeName}.${field.fieldName}`).toBeDefined();
      const props = resolver!.Properties;
      expect(props.Runtime).toEqual({ Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
      expect(props.Code).toMatch(/export\s*\{|export function/);
      expect(props.Code).not.toMatch(/from\s+["'][^"']+\.ts["']/);
      if (field.kind === 'PIPELINE') {
        expect(props.Kind).toBe('PIPELINE');
        const steps = (props.PipelineConfig.Functions as { 'Fn::GetAtt': [string, string] }[]).map((ref) => functionNames.get(ref['Fn::GetAtt'][0]));
        expect(steps).toEqual(field.steps.map((step) => step.name));
        for (const step of field.steps) {
          const [, fn] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::AppSync::FunctionConfiguration' && r.Properties?.Name === step.name)!;
          expect(fn.Properties?.DataSourceName).toBe(step.dataSource);
          expect(fn.Properties?.Runtime).toEqual({ Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
        }
      } else {
        expect(props.Kind).toBe('UNIT');
        expect(props.DataSourceName).toBe(field.dataSource);
      }
    }
    template.resourceCountIs('AWS::AppSync::FunctionConfiguration', fields.flatMap((f) => (f.kind === 'PIPELINE' ? f.steps : [])).length);
  });
});

describe('Lambda functions', () => {
  it('run on arm64, Node.js 20 or later, with tracing and the environment the handlers read', () => {
    const { labelcast, template } = dev();
    const descriptions = Object.values(lambdaFunctions).map((spec) => spec.description);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) =>
      descriptions.includes(fn.Properties.Description),
    );
    expect(functions).toHaveLength(descriptions.length);
    for (const fn of functions) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(20);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    const bucket = { Ref: logicalId(labelcast.stack.uploads.bucket) };
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: lambdaFunctions.presignUpload.description,
      Environment: { Variables: Match.objectLike({ UPLOAD_BUCKET: bucket }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: lambdaFunctions.labeler.description,
      Timeout: lambdaFunctions.labeler.timeoutSeconds,
      MemorySize: lambdaFunctions.labeler.memoryMb,
      Environment: {
        Variables: Match.objectLike({
          IMAGES_TABLE: { Ref: logicalId(labelcast.stack.images.table) },
          APPSYNC_URL: { 'Fn::GetAtt': [logicalId(labelcast.stack.graphql.api), 'GraphQLUrl'] },
          POWERTOOLS_SERVICE_NAME: 'labeler',
        }),
      },
    });
  });

  it.each([
    ['dev', dev, ['BucketNotificationsHandler', 'CustomS3AutoDeleteObjectsCustomResourceProviderHandler']],
    ['prod', prod, ['BucketNotificationsHandler']],
  ] as const)("in %s, each logs to a log group the stack owns, CDK's own handlers included", (_stage, synth, cdkHandlers) => {
    // Without one, Lambda creates /aws/lambda/<name> on the first run: no expiry, and `cdk destroy` leaves it behind.
    const resources = resourcesOf(synth().template);
    const functions = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
    for (const handler of cdkHandlers) expect(functions.map(([id]) => id).some((id) => id.startsWith(handler)), handler).toBe(true);
    expect(functions).toHaveLength(Object.keys(lambdaFunctions).length + cdkHandlers.length);
    for (const [id, fn] of functions) {
      const logGroup = (fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
      expect(logGroup, id).toEqual({ Ref: expect.any(String) });
      expect(resources[(logGroup as { Ref: string }).Ref]?.Type, id).toBe('AWS::Logs::LogGroup');
    }
  });

  // The labelling queue, its event source mappings and the dead-letter queue: tests/infra/labeling-queue.test.ts.
});

describe('outputs', () => {
  it('names everything amplify_outputs.json needs', () => {
    const outputs = dev().template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(StackOutput).sort());
  });
});
