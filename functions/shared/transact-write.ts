/**
 * One TransactWriteItems, retried until DynamoDB either commits it or cancels
 * it for a failed condition. A transaction is all or nothing, so a cancelled
 * one wrote nothing and can be sent again: cancellations for throttling or a
 * conflicting transaction are waited out with jittered backoff (the SDK
 * retries ProvisionedThroughputExceededException itself, never a
 * TransactionCanceledException). The SDK's ClientRequestToken makes its own
 * retries of a request that may have committed idempotent.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableStore } from './table-store.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Reasons that say "try again later", not "this cannot be done". */
const transientReasons = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict']);

/** Attempts before giving up (then the caller's own retry, e.g. Lambda's, takes over). */
const maxAttempts = 12;
const maxBackoffMs = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A transaction still cancelled by throttling or conflicts after every attempt. */
export class TransactionRetriesExhaustedError extends Error {
  public constructor(reasons: readonly string[], options?: ErrorOptions) {
    super(`transaction still cancelled after ${maxAttempts} attempts: ${reasons.join(', ')}`, options);
    this.name = 'TransactionRetriesExhaustedError';
  }
}

/** 'committed', or the index of each item whose condition failed (the transaction wrote nothing). */
export type TransactOutcome = { readonly committed: true } | { readonly committed: false; readonly conditionFailed: readonly number[] };

export async function transactWrite(store: TableStore, items: readonly TransactItem[]): Promise<TransactOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await store.documentClient.send(new TransactWriteCommand({ TransactItems: [...items] }));
      return { committed: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const conditionFailed = codes.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
      if (conditionFailed.length > 0) return { committed: false, conditionFailed };
      if (!codes.some((code) => transientReasons.has(code))) throw error;
      if (attempt >= maxAttempts) throw new TransactionRetriesExhaustedError(codes, { cause: error });
      await sleep(Math.random() * Math.min(maxBackoffMs, 25 * 2 ** attempt));
    }
  }
}
