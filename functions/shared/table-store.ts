/** The images table as the functions reach it (layout in api/table.ts). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';

export interface TableStore {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
}

type WriteRequest = NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string][number];

/** Consecutive slices of at most `size` items. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}

/** BatchWriteItem takes at most 25 requests. */
const batchSize = 25;
const maxBatchAttempts = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Puts and deletes in batches of 25, side by side, retrying unprocessed items with jittered backoff. */
export async function batchWrite(store: TableStore, requests: readonly WriteRequest[]): Promise<void> {
  await Promise.all(chunks(requests, batchSize).map((batch) => writeBatch(store, batch)));
}

async function writeBatch(store: TableStore, batch: WriteRequest[]): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > maxBatchAttempts) throw new Error(`${pending.length} batch writes still unprocessed after retries`);
    const { UnprocessedItems } = await store.documentClient.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }));
    pending = UnprocessedItems?.[store.tableName] ?? [];
    if (pending.length > 0) await sleep(Math.random() * 2 ** attempt * 25);
  }
}
