/** The images table as the functions reach it (layout in api/table.ts). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { UnprocessedWritesError } from './errors.ts';

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
/** Attempts a batch gets within one run; past them the run gives way to the queue (UnprocessedWritesError). */
export const maxBatchAttempts = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Puts and deletes in batches of 25, side by side, retrying unprocessed items
 * with jittered backoff. Items still unprocessed after maxBatchAttempts throw
 * UnprocessedWritesError, which functions/shared/errors.ts counts as
 * throttling: the message goes back to the queue and the whole (idempotent)
 * write is redone on its next receive, never an image ended FAILED.
 */
export async function batchWrite(store: TableStore, requests: readonly WriteRequest[]): Promise<void> {
  await Promise.all(chunks(requests, batchSize).map((batch) => writeBatch(store, batch)));
}

async function writeBatch(store: TableStore, batch: WriteRequest[]): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > maxBatchAttempts) throw new UnprocessedWritesError(pending.length, maxBatchAttempts);
    const { UnprocessedItems } = await store.documentClient.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }));
    pending = UnprocessedItems?.[store.tableName] ?? [];
    if (pending.length > 0) await sleep(Math.random() * 2 ** attempt * 25);
  }
}
