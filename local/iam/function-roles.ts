/**
 * Each local Lambda function's identity: fresh session credentials per start
 * (in memory only, handed to the function's process as AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as Lambda hands a function its
 * role's session credentials; the services refuse the keys without the
 * token, as AWS does), bound to a role whose policy is the one infra/ synthesizes, derived
 * from api/access.ts for the local ARNs. Given the resolver bundles, each
 * AppSync DYNAMODB data source gets one too (./data-source-roles.ts). The
 * account's own key pair (credentials.json) stays the administrator.
 */
import { policyStatementsFor } from '../../api/access.ts';
import type { DynamoDbDataSourceName } from '../../api/data-source-access.ts';
import { lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';
import { mintCredentials, mintSessionCredentials, type LocalCredentials } from './credentials.ts';
import { QueueName } from '../../api/labeling-queue.ts';
import { localBucketArn, localFunctionArn, localGraphqlApiArn, localQueueArn, localTableArn } from './local-arns.ts';
import { compilePolicy, type PolicyDocument } from './policy.ts';
import { localDataSourcePolicies, localDataSourceRoleName, type ResolverBundles } from './data-source-roles.ts';
import { administrator, dataSourceRole, functionRole, principalDirectory, type PrincipalDirectory } from './principals.ts';

export interface LocalResources {
  readonly region: string;
  readonly bucketName: string;
  readonly tableName: string;
}

export interface LocalIdentities {
  /** Every key pair the services accept, with its principal. */
  readonly directory: PrincipalDirectory;
  /** Each function's session credentials (key pair and token). */
  readonly functionCredentials: Readonly<Record<LambdaFunctionName, LocalCredentials>>;
  /** Each DYNAMODB data source's service-role keys; empty when no resolver bundles were given. */
  readonly dataSourceCredentials: Readonly<Partial<Record<DynamoDbDataSourceName, LocalCredentials>>>;
}

/** A function's role policy for the local resources, as infra/function-access.ts builds it for the deployed ones. */
export function localFunctionPolicy(name: LambdaFunctionName, resources: LocalResources): PolicyDocument {
  const functionNames = Object.keys(lambdaFunctions) as LambdaFunctionName[];
  const statements = policyStatementsFor(name, {
    bucket: localBucketArn(resources.bucketName),
    table: localTableArn(resources.region, resources.tableName),
    graphqlApi: localGraphqlApiArn(resources.region),
    functions: Object.fromEntries(functionNames.map((target) => [target, localFunctionArn(resources.region, target)])),
    queues: Object.fromEntries(Object.values(QueueName).map((queue) => [queue, localQueueArn(resources.region, queue)])),
  });
  return { Version: '2012-10-17', Statement: statements };
}

/** The role's name, as the assumed-role ARN in AccessDenied messages shows it. */
export const localRoleName = (name: LambdaFunctionName): string => `labelcast-${name}-role`;

/**
 * Every identity of the stack. `resolverBundles`, the code the local AppSync
 * serves for each manifest code file, gives each DYNAMODB data source its
 * role; without it (a test of the functions' roles alone) there are none.
 */
export function localIdentities(admin: LocalCredentials, resources: LocalResources, resolverBundles?: ResolverBundles): LocalIdentities {
  const functionNames = Object.keys(lambdaFunctions) as LambdaFunctionName[];
  const functionCredentials = Object.fromEntries(functionNames.map((name) => [name, mintSessionCredentials()])) as Record<LambdaFunctionName, LocalCredentials>;
  const policies = resolverBundles ? localDataSourcePolicies(resolverBundles, resources) : {};
  const dataSources = (Object.entries(policies) as [DynamoDbDataSourceName, PolicyDocument][]).map(([name, policy]) => ({
    name,
    policy,
    credentials: mintCredentials(),
  }));
  const directory = principalDirectory([
    { credentials: admin, principal: administrator() },
    ...functionNames.map((name) => ({
      credentials: functionCredentials[name],
      principal: functionRole(localRoleName(name), name, compilePolicy([localFunctionPolicy(name, resources)], `role of ${name}`)),
    })),
    ...dataSources.map(({ name, policy, credentials }) => ({
      credentials,
      principal: dataSourceRole(localDataSourceRoleName(name), compilePolicy([policy], `role of data source ${name}`)),
    })),
  ]);
  return { directory, functionCredentials, dataSourceCredentials: Object.fromEntries(dataSources.map(({ name, credentials }) => [name, credentials])) };
}
