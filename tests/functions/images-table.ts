/** A dynalite with the images table exactly as api/table.ts lays it out (byStatus included), for function tests. */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { ensureImagesTable } from '../../local/dynamodb/index.ts';

// dynalite ships no type declarations; it is a CommonJS factory of an http.Server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server;

export const region = 'us-east-1';
export const tableName = 'labelcast-images';
export const credentials = { accessKeyId: 'AKIDFUNCTIONTEST', secretAccessKey: 'function-test-secret' };

export interface ImagesTable {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly store: TableStore;
  close(): Promise<void>;
}

export async function startImagesTable(): Promise<ImagesTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await ensureImagesTable({ endpoint, tableName, region, credentials });
  const client = new DynamoDBClient({ endpoint, region, credentials });
  // As tableStoreFromEnv builds it.
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    store: { documentClient, tableName },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
