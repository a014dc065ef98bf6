import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorDisposition, UnprocessedWritesError } from '../../functions/shared/errors.ts';
import { batchWrite, maxBatchAttempts } from '../../functions/shared/table-store.ts';

const tableName = 'images';
type Request = { PutRequest: { Item: { pk: string; sk: string } } };
const puts = (count: number): Request[] => Array.from({ length: count }, (_, index) => ({ PutRequest: { Item: { pk: `LABEL#${index}`, sk: 's' } } }));

/** A document client whose BatchWriteItem leaves unprocessed what `unprocessed` says, per call; records what each call sent. */
function throttlingClient(unprocessed: (pending: Request[], call: number) => Request[]) {
  const calls: Request[][] = [];
  const send = vi.fn(async (command: { input: { RequestItems: Record<string, Request[]> } }) => {
    const pending = command.input.RequestItems[tableName];
    calls.push(pending);
    const left = unprocessed(pending, calls.length);
    return { UnprocessedItems: left.length > 0 ? { [tableName]: left } : {} };
  });
  return { store: { documentClient: { send } as unknown as DynamoDBDocumentClient, tableName }, calls };
}

/** Runs `work` to its end with the backoff sleeps skipped. */
async function settled<T>(work: Promise<T>): Promise<PromiseSettledResult<T>> {
  const outcome = Promise.allSettled([work]);
  await vi.runAllTimersAsync();
  return (await outcome)[0];
}

describe('Function: batchWrite', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries only the unprocessed items until all are written', async () => {
    // Prepare: the first two calls leave half of what they got.
    const { store, calls } = throttlingClient((pending, call) => (call <= 2 ? pending.slice(0, Math.ceil(pending.length / 2)) : []));
    // Act
    const outcome = await settled(batchWrite(store, puts(10)));
    // Assess
    expect(outcome.status).toBe('fulfilled');
    expect(calls.map((sent) => sent.length)).toEqual([10, 5, 3]);
  });

  it('writes in batches of at most 25', async () => {
    const { store, calls } = throttlingClient(() => []);
    await settled(batchWrite(store, puts(60)));
    expect(calls.map((sent) => sent.length).sort((a, b) => a - b)).toEqual([10, 25, 25]);
  });

  it('gives way as throttling, never as a failure, when items stay unprocessed through every attempt', async () => {
    // Prepare: DynamoDB keeps leaving one item unprocessed.
    const { store, calls } = throttlingClient((pending) => pending.slice(0, 1));
    // Act
    const outcome = await settled(batchWrite(store, puts(3)));
    // Assess: the run ends with an error the labeler's queue batch waits out (back to the queue, the image never FAILED).
    expect(outcome.status).toBe('rejected');
    const error = (outcome as PromiseRejectedResult).reason as unknown;
    expect(error).toBeInstanceOf(UnprocessedWritesError);
    expect((error as UnprocessedWritesError).unprocessed).toBe(1);
    expect(errorDisposition(error)).toBe('throttled');
    expect(calls).toHaveLength(maxBatchAttempts);
  });
});
