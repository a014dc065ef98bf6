/**
 * The local DynamoDB (dynalite behind the stack's layers: signatures,
 * transactions) with the images table exactly as api/table.ts lays it out
 * (byStatus included), in a temporary directory, for function tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableClientSettings } from '../../functions/shared/table-client.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { ensureImagesTable, startLocalDynamoDb } from '../../local/dynamodb/index.ts';
import type { WriteThrottle } from '../../local/dynamodb/throttling.ts';
import { credentialStore } from '../../local/iam/credentials.ts';

export const region = 'us-east-1';
export const tableName = 'labelcast-images';
export const credentials = { accessKeyId: 'AKIDFUNCTIONTEST', secretAccessKey: 'function-test-secret' };

export interface ImagesTable {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly store: TableStore;
  /** The local DynamoDB's injected write throttling. */
  readonly throttle: WriteThrottle;
  close(): Promise<void>;
}

export async function startImagesTable(): Promise<ImagesTable> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-function-table-'));
  const dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
  const { endpoint } = dynamodb;
  await ensureImagesTable({ endpoint, tableName, region, credentials });
  const client = new DynamoDBClient({ endpoint, region, credentials, ...tableClientSettings });
  // As tableStoreFromEnv builds it.
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    store: { documentClient, tableName },
    throttle: dynamodb.throttle,
    async close() {
      client.destroy();
      await dynamodb.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
