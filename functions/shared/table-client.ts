/**
 * The DynamoDB client every function reaches the images table with. Writes
 * can be throttled (a hot partition, an on-demand table still scaling); the
 * SDK retries ProvisionedThroughputExceededException with backoff, and 10
 * attempts (the SDK default is 3; AWS's own SDKs used 10 for DynamoDB) wait
 * out a throttled share of writes instead of failing the run.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const tableClientSettings = { maxAttempts: 10 } as const satisfies DynamoDBClientConfig;

/** A document client over `config` plus the table settings, marshalling as the functions expect (undefined attributes dropped). */
export function tableDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...tableClientSettings, ...config }), { marshallOptions: { removeUndefinedValues: true } });
}
