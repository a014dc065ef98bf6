/**
 * Creates the images table with the layout in api/table.ts, as the CDK stack
 * declares it on AWS.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { ImagesTableLayout } from '../../api/table.ts';
import type { LocalCredentials } from '../iam/credentials.ts';

export interface EnsureImagesTableArgs {
  readonly endpoint: string;
  readonly tableName: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
}

const stringKey = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** Creates the images table (layout from api/table.ts: pk/sk string keys, GSIs byLabel on labelKey/labelSort and byStatus on status/createdAt, projection ALL, PAY_PER_REQUEST) unless it exists; waits until ACTIVE. */
export async function ensureImagesTable(args: EnsureImagesTableArgs): Promise<void> {
  const client = new DynamoDBClient({ endpoint: args.endpoint, region: args.region, credentials: args.credentials });
  try {
    const { partitionKey, sortKey, byLabelIndex, byStatusIndex } = ImagesTableLayout;
    const indexes = [byLabelIndex, byStatusIndex];
    if (!(await tableExists(client, args.tableName))) {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: args.tableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              ...new Set([partitionKey, sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]),
            ].map(stringKey),
            KeySchema: [
              { AttributeName: partitionKey, KeyType: 'HASH' },
              { AttributeName: sortKey, KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: indexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
              ],
              Projection: { ProjectionType: 'ALL' as const },
            })),
          }),
        );
      } catch (error) {
        // Someone else created it between the check and now: fine, wait for it below.
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    const waited = await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: args.tableName });
    if (waited.state !== 'SUCCESS') throw new Error(`table ${args.tableName} did not become ACTIVE: ${waited.state}`);
  } finally {
    client.destroy();
  }
}
