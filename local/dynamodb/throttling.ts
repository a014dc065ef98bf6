/**
 * Not an AWS behaviour on demand, but one AWS has: injected write
 * throttling, so tests can prove the pipeline waits throttling out. While a
 * spec is set, each write is throttled with probability `writeShare` (from a
 * seeded generator, so a run is repeatable) and answered as DynamoDB answers
 * a throttled write on an on-demand table:
 *
 * - PutItem, UpdateItem, DeleteItem: ProvisionedThroughputExceededException
 *   (HTTP 400), which the AWS SDKs retry with backoff;
 * - BatchWriteItem: each request on its own; the throttled ones come back in
 *   UnprocessedItems, and when all are throttled the whole call is
 *   ProvisionedThroughputExceededException;
 * - TransactWriteItems: one draw for the whole transaction; a throttled one
 *   is TransactionCanceledException with a ThrottlingError reason (the SDKs
 *   do not retry that: the caller must).
 *
 * A throttled write changes nothing. `scope: "functions"` throttles only the
 * Lambda functions' own role sessions, leaving the AppSync data source's
 * role and the administrator's calls (tests seeding data) alone.
 */
import { appSyncRoleSessionName } from '../iam/principals.ts';
import { serviceError, throttledMessage, ThrottleSpecError, transactionCanceled, withBody } from './errors.ts';
import type { DynamoDbHttpRequest, DynamoDbHttpResponse, DynamoDbTransport } from './in-process.ts';
import { bodyOf, isObject, operationOf } from './inner-calls.ts';

export const ThrottleScope = { all: 'all', functions: 'functions' } as const;

/** A Lambda function's role session: an assumed role that is not AppSync's data-source session (local/iam/principals.ts). */
const isFunctionSession = (principalArn: string | undefined): boolean =>
  principalArn !== undefined && principalArn.includes(':assumed-role/') && !principalArn.endsWith(`/${appSyncRoleSessionName}`);
export type ThrottleScope = (typeof ThrottleScope)[keyof typeof ThrottleScope];

export interface ThrottleSpec {
  /** The share of writes throttled, from 0 to 1. */
  readonly writeShare: number;
  /** Seed of the draws; the same seed throttles the same sequence of writes. @default 1 */
  readonly seed?: number;
  /** @default 'all' */
  readonly scope?: ThrottleScope;
}

/** Checks a PUT body; throws a ThrottleSpecError saying what is wrong. */
export function parseThrottleSpec(body: unknown): ThrottleSpec {
  if (!isObject(body)) throw new ThrottleSpecError('the body must be a JSON object');
  const { writeShare, seed, scope, ...rest } = body;
  const unknownFields = Object.keys(rest);
  if (unknownFields.length > 0) throw new ThrottleSpecError(`unknown field(s): ${unknownFields.join(', ')}`);
  if (typeof writeShare !== 'number' || !(writeShare >= 0 && writeShare <= 1)) throw new ThrottleSpecError('writeShare must be a number from 0 to 1');
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) throw new ThrottleSpecError('seed must be an integer');
  if (scope !== undefined && scope !== ThrottleScope.all && scope !== ThrottleScope.functions) throw new ThrottleSpecError('scope must be "all" or "functions"');
  return { writeShare, seed, scope: scope as ThrottleScope | undefined };
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** The spec in force and its draws; counts the writes it throttled. */
export class WriteThrottle {
  private spec: ThrottleSpec | undefined;
  private random: () => number = Math.random;
  private throttledCount = 0;

  public set(spec: ThrottleSpec): void {
    this.spec = spec;
    this.random = seededRandom(spec.seed ?? 1);
  }

  public clear(): void {
    this.spec = undefined;
  }

  public get current(): ThrottleSpec | undefined {
    return this.spec;
  }

  /** Writes (or batch requests, or transactions) answered as throttled so far. */
  public get throttled(): number {
    return this.throttledCount;
  }

  /** Whether this write of `principalArn` is throttled; uses up one draw when a spec applies. */
  public take(principalArn: string | undefined): boolean {
    const spec = this.spec;
    if (!spec || spec.writeShare <= 0) return false;
    if (spec.scope === ThrottleScope.functions && !isFunctionSession(principalArn)) return false;
    const throttled = this.random() < spec.writeShare;
    if (throttled) this.throttledCount += 1;
    return throttled;
  }
}

const throttledWrite = () => serviceError('ProvisionedThroughputExceededException', throttledMessage);

async function batchWrite(transport: DynamoDbTransport, request: DynamoDbHttpRequest, body: Record<string, unknown>, throttle: WriteThrottle): Promise<DynamoDbHttpResponse> {
  const kept: Record<string, unknown[]> = {};
  const unprocessed: Record<string, unknown[]> = {};
  let total = 0;
  for (const [table, requests] of Object.entries(isObject(body.RequestItems) ? body.RequestItems : {})) {
    for (const item of Array.isArray(requests) ? requests : []) {
      total += 1;
      const target = throttle.take(request.principalArn) ? unprocessed : kept;
      (target[table] ??= []).push(item);
    }
  }
  if (Object.keys(unprocessed).length === 0) return transport(request);
  if (Object.keys(kept).length === 0 && total > 0) return throttledWrite();
  const response = await transport({ ...request, body: JSON.stringify({ ...body, RequestItems: kept }) });
  if (response.statusCode !== 200) return response;
  const output = JSON.parse(response.body) as { UnprocessedItems?: Record<string, unknown[]> };
  const merged = { ...(output.UnprocessedItems ?? {}) };
  for (const [table, items] of Object.entries(unprocessed)) merged[table] = [...(merged[table] ?? []), ...items];
  return withBody(response, { ...output, UnprocessedItems: merged });
}

/** `transport` with `throttle` applied to every write. */
export function throttlingTransport(transport: DynamoDbTransport, throttle: WriteThrottle): DynamoDbTransport {
  return async (request) => {
    if (!throttle.current) return transport(request);
    const operation = operationOf(request);
    if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') {
      return throttle.take(request.principalArn) ? throttledWrite() : transport(request);
    }
    const body = operation === 'BatchWriteItem' || operation === 'TransactWriteItems' ? bodyOf(request) : undefined;
    if (!body) return transport(request);
    if (operation === 'BatchWriteItem') return batchWrite(transport, request, body, throttle);
    const items = Array.isArray(body.TransactItems) ? body.TransactItems : [];
    if (items.length === 0 || !throttle.take(request.principalArn)) return transport(request);
    // DynamoDB names the item whose partition was throttled; here the first write stands for it.
    return transactionCanceled(items.map((_, index) => (index === 0 ? { Code: 'ThrottlingError', Message: throttledMessage } : { Code: 'None' })));
  };
}
