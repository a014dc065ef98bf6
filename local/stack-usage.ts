/**
 * What the offline stack's services were asked to do, counted as AWS bills
 * it, for `npm run bench`'s cost rows: S3 requests by pricing class, AppSync
 * GraphQL requests and realtime messages, Lambda invocations and GB-seconds
 * (each function's configured memory × its run time). One count per stack
 * process; the services add to it as they serve. DynamoDB units are the
 * local DynamoDB's own meter (dynamodb/metering.ts); Rekognition calls are
 * its stats. Served with the DynamoDB meter on its admin-signed
 * `/_labelcast/usage` hook.
 */

import { parseS3Target } from './s3/request-target.ts';

/** S3's request pricing classes: PUT/COPY/POST, LIST (tier 1); GET, HEAD (tier 2); DELETE is free. */
export type S3RequestClass = 'PUT' | 'LIST' | 'GET' | 'HEAD' | 'DELETE';

export interface StackUsage {
  readonly s3: Record<S3RequestClass, number>;
  readonly appsync: { requests: number; realtimeMessages: number };
  readonly lambda: { invocations: number; gbSeconds: number };
}

const empty = (): StackUsage => ({
  s3: { PUT: 0, LIST: 0, GET: 0, HEAD: 0, DELETE: 0 },
  appsync: { requests: 0, realtimeMessages: 0 },
  lambda: { invocations: 0, gbSeconds: 0 },
});

let usage = empty();

/**
 * The pricing class of an S3 REST request: a GET of a bucket (no key) is a LIST. The key is read as local S3 reads
 * it (request-target.ts): a key may end with `/`, a target be in absolute form; one that names none counts as none.
 */
export function s3RequestClass(method: string, url: string): S3RequestClass | undefined {
  const hasKey = parseS3Target(url)?.key !== undefined;
  switch (method.toUpperCase()) {
    case 'PUT':
    case 'POST':
      return 'PUT';
    case 'GET':
      return hasKey ? 'GET' : 'LIST';
    case 'HEAD':
      return 'HEAD';
    case 'DELETE':
      return 'DELETE';
    default:
      return undefined;
  }
}

export function countS3Request(method: string, url: string): void {
  const requestClass = s3RequestClass(method, url);
  if (requestClass) usage.s3[requestClass] += 1;
}

export function countAppSyncRequest(): void {
  usage.appsync.requests += 1;
}

export function countRealtimeMessage(): void {
  usage.appsync.realtimeMessages += 1;
}

/** One Lambda run: Lambda bills its duration (rounded up to the millisecond) × memory. */
export function countLambdaRun(memoryMb: number, durationMs: number): void {
  usage.lambda.invocations += 1;
  usage.lambda.gbSeconds += (Math.ceil(durationMs) / 1000) * (memoryMb / 1024);
}

export function stackUsage(): StackUsage {
  return structuredClone(usage);
}

export function resetStackUsage(): void {
  usage = empty();
}
