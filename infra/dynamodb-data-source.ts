/**
 * A DynamoDB data source whose role may run exactly the operations its
 * resolvers issue. CDK's DynamoDbDataSource always grants grantReadData or
 * grantReadWriteData, which include Scan and more; this one reads the
 * operations from the bundled resolver code instead of a hand-kept list, with
 * api/data-source-access.ts, the same derivation the local AppSync's data
 * source role comes from (local/iam/data-source-roles.ts).
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BackedDataSource, type BackedDataSourceProps } from 'aws-cdk-lib/aws-appsync';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { dynamoDbDataSourceAccess, dynamoDbDataSourceStatements } from '../api/data-source-access.ts';

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
    const access = dynamoDbDataSourceAccess({ dataSource: id, resolverCode: props.resolverCode, queryIndexes: props.indexNames });
    this.grantedActions = access.actions;
    for (const statement of dynamoDbDataSourceStatements(access, props.table.tableArn)) {
      this.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: [...statement.Action], resources: [...statement.Resource] }),
      );
    }
  }
}
