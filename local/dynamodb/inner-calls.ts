/**
 * Operations the layers of the local DynamoDB run on dynalite themselves
 * (a transaction's reads and writes, the meter's before/after reads), with
 * the headers of the request that caused them: dynalite checks that
 * authentication headers are present, not the signature, which the
 * authorizing transport already verified for the outer request.
 */
import type { DynamoDbHttpRequest, DynamoDbHttpResponse, DynamoDbTransport } from './in-process.ts';

export const targetPrefix = 'DynamoDB_20120810.';

/** A DynamoDB item, or a key, in DynamoDB's JSON (`{ "pk": { "S": "…" } }`). */
export type WireItem = Record<string, Record<string, unknown>>;

export interface InnerAnswer {
  readonly response: DynamoDbHttpResponse;
  /** The parsed body of a 200 answer ({} otherwise). */
  readonly output: Record<string, unknown>;
  readonly ok: boolean;
}

export type InnerCall = (operation: string, input: object) => Promise<InnerAnswer>;

/** Calls `transport` with `operation` and `input`, as `outer` would have been sent. */
export function innerCaller(transport: DynamoDbTransport, outer: DynamoDbHttpRequest): InnerCall {
  const { 'content-length': _length, ...headers } = outer.headers;
  return async (operation, input) => {
    const response = await transport({ method: 'POST', path: '/', headers: { ...headers, 'x-amz-target': `${targetPrefix}${operation}` }, body: JSON.stringify(input) });
    const ok = response.statusCode === 200;
    return { response, ok, output: ok ? (JSON.parse(response.body) as Record<string, unknown>) : {} };
  };
}

/** The operation of a JSON 1.0 request (`PutItem`), or undefined for another target. */
export function operationOf(request: DynamoDbHttpRequest): string | undefined {
  const target = request.headers['x-amz-target'] ?? '';
  return request.method.toUpperCase() === 'POST' && target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : undefined;
}

/** The JSON object body of a request, or undefined when it is not one (dynalite's validation answers those). */
export function bodyOf(request: DynamoDbHttpRequest): Record<string, unknown> | undefined {
  try {
    // The authorizing transport's parse, when it is of this very body (the same string: compared at once).
    const body = request.parsedBody?.of === request.body ? request.parsedBody.input : (JSON.parse(request.body) as unknown);
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
