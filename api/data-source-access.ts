/**
 * What an AppSync DYNAMODB data source's service role may do, derived from
 * the bundled code of the resolvers and pipeline functions wired to it: the
 * DynamoDB operations their request objects name, as IAM actions, on the
 * table and on the indexes the manifest lets it Query.
 *
 * Pure and free of CDK, so both sides derive the same role from the same code:
 * - infra/dynamodb-data-source.ts turns the statements into the deployed
 *   role's policy (CDK tokens for the ARNs);
 * - local/iam/data-source-roles.ts binds them, for the local ARNs, to the key
 *   pair the local AppSync's data source signs its DynamoDB calls with, so a
 *   resolver issuing an operation its role lacks gets AccessDenied offline as
 *   on AWS.
 *
 * The operations are read from the code's literal `operation: "GetItem"`
 * properties. An operation the code computes at run time is not granted; on
 * AWS and offline alike it is then refused with AccessDenied.
 *
 * @example
 * const access = dynamoDbDataSourceAccess({ dataSource: 'imagesTable', resolverCode, queryIndexes: ['byLabel'] });
 * dynamoDbDataSourceStatements(access, 'arn:aws:dynamodb:us-east-1:111122223333:table/images');
 */
import type { PolicyStatementJson } from './access.ts';
import { dataSources, fields, type DataSourceName, type FieldWiring } from './manifest.ts';

/** IAM actions each APPSYNC_JS DynamoDB operation needs. */
const actionsForOperation: Readonly<Record<string, readonly string[]>> = {
  GetItem: ['dynamodb:GetItem'],
  PutItem: ['dynamodb:PutItem'],
  UpdateItem: ['dynamodb:UpdateItem'],
  DeleteItem: ['dynamodb:DeleteItem'],
  Query: ['dynamodb:Query'],
  BatchGetItem: ['dynamodb:BatchGetItem'],
  BatchPutItem: ['dynamodb:BatchWriteItem'],
  BatchDeleteItem: ['dynamodb:BatchWriteItem'],
  TransactGetItems: ['dynamodb:GetItem'],
  TransactWriteItems: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
};

/** Scans read the whole table: the API's access patterns never need one. */
const refusedOperations = new Set(['Scan', 'Sync']);

const operationPattern = /\boperation\s*:\s*["'`](\w+)["'`]/g;

/** Thrown when resolver code cannot be given a least-privilege role. */
export class DataSourceAccessError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DataSourceAccessError';
  }
}

/** The DynamoDB operations an APPSYNC_JS resolver's code issues, sorted, once each, e.g. ['PutItem']. */
export function dynamoDbOperationsIn(code: string): string[] {
  return [...new Set([...code.matchAll(operationPattern)].map((match) => match[1] ?? ''))].sort();
}

/** IAM actions for the given operations, sorted; throws on Scan and Sync, and on operations it does not know. */
export function dynamoDbActionsFor(operations: Iterable<string>): string[] {
  const actions = new Set<string>();
  for (const operation of operations) {
    if (refusedOperations.has(operation)) throw new DataSourceAccessError(`DynamoDB ${operation} is not allowed in resolvers; use Query`);
    const needed = actionsForOperation[operation];
    if (!needed) throw new DataSourceAccessError(`unknown APPSYNC_JS DynamoDB operation ${operation}`);
    needed.forEach((action) => actions.add(action));
  }
  return [...actions].sort();
}

/** The DYNAMODB data sources of api/manifest.ts. */
export type DynamoDbDataSourceName = {
  [Name in DataSourceName]: (typeof dataSources)[Name]['kind'] extends 'DYNAMODB' ? Name : never;
}[DataSourceName];

export const dynamoDbDataSourceNames = (Object.keys(dataSources) as DataSourceName[]).filter(
  (name): name is DynamoDbDataSourceName => dataSources[name].kind === 'DYNAMODB',
);

/** Every code file wired to each data source (a unit resolver's own, or a pipeline step's), each once, in manifest order. */
export function codeFilesByDataSource(wirings: readonly FieldWiring[] = fields): Map<DataSourceName, string[]> {
  const byDataSource = new Map<DataSourceName, string[]>();
  const add = (name: DataSourceName, code: string) => {
    const files = byDataSource.get(name) ?? [];
    if (!files.includes(code)) byDataSource.set(name, [...files, code]);
  };
  for (const field of wirings) {
    if (field.kind === 'UNIT') add(field.dataSource, field.code);
    else field.steps.forEach((step) => add(step.dataSource, step.code));
  }
  return byDataSource;
}

/** The indexes api/manifest.ts lets a DYNAMODB data source Query (beyond the table itself). */
export const queryIndexesOf = (name: DynamoDbDataSourceName): readonly string[] => dataSources[name].queryIndexes;

export interface DynamoDbDataSourceAccessArgs {
  /** The data source's name, for error messages. */
  readonly dataSource: string;
  /** Bundled code of every resolver and pipeline function wired to it. */
  readonly resolverCode: readonly string[];
  /** Indexes it may Query. @default - none */
  readonly queryIndexes?: readonly string[];
}

/** What a DYNAMODB data source's role may do. */
export interface DynamoDbDataSourceAccess {
  /** IAM actions, sorted. */
  readonly actions: readonly string[];
  /** Indexes Query is granted on, besides the table. */
  readonly queryIndexes: readonly string[];
}

/**
 * The access its resolvers' code needs. Throws DataSourceAccessError for code
 * that issues no DynamoDB operation (it does not belong on this data source),
 * a Scan or Sync, or an operation APPSYNC_JS does not have.
 */
export function dynamoDbDataSourceAccess(args: DynamoDbDataSourceAccessArgs): DynamoDbDataSourceAccess {
  const operations = args.resolverCode.map(dynamoDbOperationsIn);
  operations.forEach((found, index) => {
    if (found.length === 0) throw new DataSourceAccessError(`resolver code #${index} on data source ${args.dataSource} issues no DynamoDB operation`);
  });
  return { actions: dynamoDbActionsFor(operations.flat()), queryIndexes: [...(args.queryIndexes ?? [])] };
}

/**
 * The role's statements for a table ARN (or a CDK token standing for it):
 * every action but Query on the table; Query on the table and on each index
 * (IAM checks a Query with IndexName against the index's ARN only).
 */
export function dynamoDbDataSourceStatements(access: DynamoDbDataSourceAccess, tableArn: string): PolicyStatementJson[] {
  const statements: PolicyStatementJson[] = [];
  const tableActions = access.actions.filter((action) => action !== 'dynamodb:Query');
  if (tableActions.length > 0) statements.push({ Effect: 'Allow', Action: tableActions, Resource: [tableArn] });
  if (access.actions.includes('dynamodb:Query')) {
    statements.push({
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: [tableArn, ...access.queryIndexes.map((indexName) => `${tableArn}/index/${indexName}`)],
    });
  }
  return statements;
}
