/**
 * A function's answer as Lambda hands it to its invoker: the JSON text the
 * runtime made of the handler's result (the Node.js runtime's client posts
 * `JSON.stringify(result === undefined ? null : result)`, so a Date arrives as
 * its ISO string and a Map as `{}`), parsed again by whoever invoked it, and
 * for a synchronous invoke at most 6,291,556 bytes. Past that, Lambda answers
 * the invoker with a function error of its own (Unhandled, errorType
 * `Function.ResponseSizeTooLarge`), while an asynchronous invocation, whose
 * answer nobody reads, succeeds.
 */
import { FunctionError } from './errors.ts';

/** The largest answer a synchronous invoke returns: 6 MiB and 100 bytes, as Lambda's error message states it. */
export const maxSyncResponseBytes = 6 * 1024 * 1024 + 100;

/** What the runtime's client reports when the result cannot be made JSON (a BigInt, a cycle). */
export const unserializableResponse = 'Unable to stringify response body';

/**
 * The JSON text of a handler's result, as the runtime posts it; throws Error(unserializableResponse) when
 * JSON.stringify throws (a BigInt, a cycle). A function or a Symbol, of which JSON.stringify makes nothing, is
 * answered as null: what Lambda hands on for one is not documented, and null is what undefined becomes.
 */
export function serializeResult(result: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error(unserializableResponse);
  }
  return text ?? 'null';
}

/**
 * The invoker's value of `payload`; a FunctionError as Lambda's when it is
 * larger than `limitBytes` (set for synchronous invokes only).
 */
export function invokerValue(payload: string, limitBytes?: number): unknown {
  // A UTF-16 unit is at most three UTF-8 bytes, so a text this short cannot be over the limit: no byte count needed.
  if (limitBytes !== undefined && payload.length * 3 > limitBytes && Buffer.byteLength(payload) > limitBytes) {
    throw new FunctionError('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${limitBytes} bytes).`);
  }
  return JSON.parse(payload) as unknown;
}
