/**
 * The service roles of the local AppSync's DYNAMODB data sources. On AWS,
 * AppSync assumes each data source's role (session `APPSYNC_ASSUME_ROLE`)
 * and DynamoDB authorizes every call against it; infra/ derives that role
 * from the bundled resolver code (api/data-source-access.ts). Here each
 * data source gets its own key pair (fresh per start, in memory only),
 * bound to the same derivation for the local table ARN, so a resolver
 * issuing an operation, or querying an index, its role lacks is refused with
 * DynamoDB's AccessDeniedException offline as on AWS.
 */
import {
  codeFilesByDataSource,
  dynamoDbDataSourceAccess,
  dynamoDbDataSourceNames,
  dynamoDbDataSourceStatements,
  queryIndexesOf,
  type DynamoDbDataSourceName,
} from '../../api/data-source-access.ts';
import { localTableArn } from './local-arns.ts';
import type { PolicyDocument } from './policy.ts';

export interface DataSourceResources {
  readonly region: string;
  /** The table every DYNAMODB data source of api/manifest.ts reads (the images table). */
  readonly tableName: string;
}

/** The bundled code (api/bundle.ts) the local AppSync serves for a manifest code file. */
export type ResolverBundles = (codeFile: string) => string;

/** The role's name, as the assumed-role ARN in AccessDenied messages shows it. */
export const localDataSourceRoleName = (name: DynamoDbDataSourceName): string => `labelcast-${name}-data-source-role`;

/** A data source's role policy for the local table, from the code of its resolvers, as infra/dynamodb-data-source.ts builds it. */
export function localDataSourcePolicy(name: DynamoDbDataSourceName, resolverCode: readonly string[], resources: DataSourceResources): PolicyDocument {
  const access = dynamoDbDataSourceAccess({ dataSource: name, resolverCode, queryIndexes: queryIndexesOf(name) });
  return { Version: '2012-10-17', Statement: dynamoDbDataSourceStatements(access, localTableArn(resources.region, resources.tableName)) };
}

/** Every DYNAMODB data source's policy, from the bundles of the code files api/manifest.ts wires to it. */
export function localDataSourcePolicies(bundles: ResolverBundles, resources: DataSourceResources): Record<DynamoDbDataSourceName, PolicyDocument> {
  const files = codeFilesByDataSource();
  return Object.fromEntries(
    dynamoDbDataSourceNames.map((name) => [name, localDataSourcePolicy(name, (files.get(name) ?? []).map(bundles), resources)]),
  ) as Record<DynamoDbDataSourceName, PolicyDocument>;
}
