/**
 * A DynamoDB data source whose role may run exactly the operations its
 * resolvers issue. CDK's DynamoDbDataSource always grants grantReadData or
 * grantReadWriteData, which include Scan and more; this one reads the
 * operations from the bundled resolver code instead of a hand-kept list.
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BackedDataSource, type BackedDataSourceProps } from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

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

/** The DynamoDB operations an APPSYNC_JS resolver's code issues, e.g. ['PutItem']. */
export function dynamoDbOperationsIn(code: string): string[] {
  return [...new Set([...code.matchAll(operationPattern)].map((match) => match[1] ?? ''))].sort();
}

/** IAM actions for the given operations; throws on Scan and on operations it does not know. */
export function dynamoDbActionsFor(operations: Iterable<string>): string[] {
  const actions = new Set<string>();
  for (const operation of operations) {
    if (refusedOperations.has(operation)) throw new Error(`DynamoDB ${operation} is not allowed in resolvers; use Query`);
    const needed = actionsForOperation[operation];
    if (!needed) throw new Error(`unknown APPSYNC_JS DynamoDB operation ${operation}`);
    needed.forEach((action) => actions.add(action));
  }
  return [...actions].sort();
}

export interface LeastPrivilegeDynamoDbDataSourceProps extends BackedDataSourceProps {
  readonly table: ITable;
  /** Bundled code of every resolver and function that uses this data source. */
  readonly resolverCode: readonly string[];
  /** GSI names resolvers may Query. @default - none */
  readonly indexNames?: readonly string[];
}

export class LeastPrivilegeDynamoDbDataSource extends BackedDataSource {
  /** The IAM actions granted, sorted. */
  public readonly grantedActions: readonly string[];

  public constructor(scope: Construct, id: string, props: LeastPrivilegeDynamoDbDataSourceProps) {
    super(scope, id, props, {
      type: 'AMAZON_DYNAMODB',
      dynamoDbConfig: { tableName: props.table.tableName, awsRegion: props.table.env.region },
    });
    const operations = props.resolverCode.map(dynamoDbOperationsIn);
    operations.forEach((found, index) => {
      if (found.length === 0) throw new Error(`resolver code #${index} on data source ${id} issues no DynamoDB operation`);
    });
    this.grantedActions = dynamoDbActionsFor(operations.flat());
    if (this.grantedActions.length === 0) return;

    const indexArns = (props.indexNames ?? []).map((indexName) => `${props.table.tableArn}/index/${indexName}`);
    const tableActions = this.grantedActions.filter((action) => action !== 'dynamodb:Query');
    if (tableActions.length > 0) {
      this.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: tableActions, resources: [props.table.tableArn] }),
      );
    }
    if (this.grantedActions.includes('dynamodb:Query')) {
      this.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['dynamodb:Query'],
          resources: [props.table.tableArn, ...indexArns],
        }),
      );
    }
  }
}
