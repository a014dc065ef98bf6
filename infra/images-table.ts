/** The single DynamoDB table, laid out as api/table.ts describes. */
import { RemovalPolicy } from 'aws-cdk-lib/core';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { imagesTableIndexes, ImagesTableLayout, type IndexProjection } from '../api/table.ts';

/** The CDK spelling of a projection. */
function cdkProjection(projection: IndexProjection): { projectionType: ProjectionType; nonKeyAttributes?: string[] } {
  switch (projection.type) {
    case 'ALL':
      return { projectionType: ProjectionType.ALL };
    case 'KEYS_ONLY':
      return { projectionType: ProjectionType.KEYS_ONLY };
    case 'INCLUDE':
      return { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projection.attributes] };
  }
}

export interface ImagesTableProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default true */
  readonly pointInTimeRecovery?: boolean;
}

export class ImagesTable extends Construct {
  public readonly table: Table;

  public constructor(scope: Construct, id: string, props: ImagesTableProps = {}) {
    super(scope, id);
    const layout = ImagesTableLayout;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: layout.partitionKey, type: AttributeType.STRING },
      sortKey: { name: layout.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Every index as api/table.ts declares it: keys, and a projection that is ALL only where a Query needs it.
    for (const index of imagesTableIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...cdkProjection(index.projection),
      });
    }
  }
}
