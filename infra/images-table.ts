/** The single DynamoDB table, laid out as api/table.ts describes. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ImagesTableLayout } from '../api/table.ts';

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
    this.table.addGlobalSecondaryIndex({
      indexName: layout.byLabelIndex.indexName,
      partitionKey: { name: layout.byLabelIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: layout.byLabelIndex.sortKey, type: AttributeType.STRING },
      // imagesByLabel answers from the index entry's copy of the image.
      projectionType: ProjectionType.ALL,
    });
    // The reconciler's PENDING images; only image items carry a top-level status.
    this.table.addGlobalSecondaryIndex({
      indexName: layout.byStatusIndex.indexName,
      partitionKey: { name: layout.byStatusIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: layout.byStatusIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
