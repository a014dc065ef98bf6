/**
 * DynamoDB's error answers, as DynamoDB sends them: HTTP 400 (500 for
 * InternalServerError) and a JSON 1.0 body whose `__type` names the
 * exception. Service exceptions use the `com.amazonaws.dynamodb.v20120810#`
 * namespace and a `message` field; TransactionCanceledException spells it
 * `Message` and adds `CancellationReasons`; input validation uses
 * `com.amazon.coral.validate#ValidationException`.
 *
 * And the errors the local DynamoDB throws itself, with one base class:
 *
 * | error              | retryable | when                                                              |
 * | ------------------ | --------- | ----------------------------------------------------------------- |
 * | ThrottleSpecError  | no        | the throttling hook's body is not a spec (answered HTTP 400)       |
 *
 * Which DynamoDB answers a client retries is the SDK's rule (throttling and
 * 5xx), read from the answer, not from these classes.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { LocalError } from '../errors.ts';
import type { DynamoDbHttpResponse } from './in-process.ts';

// The CRC32 dynalite itself puts in x-amz-crc32 (native zlib.crc32 where Node has it, answer-checksum.ts); AWS SDKs may check it.
const dynaliteRequire = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const crc32 = dynaliteRequire('buffer-crc32') as { unsigned(input: string | Buffer): number };

export const serviceNamespace = 'com.amazonaws.dynamodb.v20120810#';
export const validationType = 'com.amazon.coral.validate#ValidationException';

/** A DynamoDB-shaped JSON answer with the headers DynamoDB sends (request id, CRC32 of the body). */
export function jsonResponse(statusCode: number, body: object, requestId = newRequestId()): DynamoDbHttpResponse {
  return jsonTextResponse(statusCode, JSON.stringify(body), requestId);
}

/** jsonResponse for a body already serialized. */
export function jsonTextResponse(statusCode: number, text: string, requestId = newRequestId()): DynamoDbHttpResponse {
  return {
    statusCode,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(text)),
      'x-amzn-requestid': requestId,
      'x-amz-crc32': String(crc32.unsigned(text)),
    },
    body: text,
  };
}

/** The same answer with another body (content-length and CRC32 follow it). */
export function withBody(response: DynamoDbHttpResponse, body: object): DynamoDbHttpResponse {
  return withBodyText(response, JSON.stringify(body));
}

/** withBody for a body already serialized. */
export function withBodyText(response: DynamoDbHttpResponse, text: string): DynamoDbHttpResponse {
  const rebuilt = jsonTextResponse(response.statusCode, text, response.headers['x-amzn-requestid']);
  return { ...response, headers: { ...response.headers, ...rebuilt.headers }, body: rebuilt.body };
}

export const newRequestId = (): string => randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0');

export const validationError = (message: string): DynamoDbHttpResponse => jsonResponse(400, { __type: validationType, message });

export const serviceError = (exception: string, message: string): DynamoDbHttpResponse =>
  jsonResponse(exception === 'InternalServerError' ? 500 : 400, { __type: `${serviceNamespace}${exception}`, message });

/** DynamoDB's message for a throttled request on an on-demand table (and a cancellation reason's). */
export const throttledMessage =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html.';

/** One entry of TransactionCanceledException.CancellationReasons, in the order of the request's items. */
export interface CancellationReason {
  readonly Code: 'None' | 'ConditionalCheckFailed' | 'TransactionConflict' | 'ThrottlingError' | 'ValidationError' | 'ProvisionedThroughputExceeded';
  readonly Message?: string;
  readonly Item?: Record<string, unknown>;
}

export const conditionFailedMessage = 'The conditional request failed';

export function transactionCanceled(reasons: readonly CancellationReason[]): DynamoDbHttpResponse {
  return jsonResponse(400, {
    __type: `${serviceNamespace}TransactionCanceledException`,
    CancellationReasons: reasons,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
  });
}

/** The exception name of an error answer (`ConditionalCheckFailedException`), or undefined for a success or a body that is no JSON error. */
export function exceptionOf(response: DynamoDbHttpResponse): string | undefined {
  if (response.statusCode === 200) return undefined;
  try {
    const type = (JSON.parse(response.body) as { __type?: unknown }).__type;
    return typeof type === 'string' ? type.slice(type.lastIndexOf('#') + 1) : undefined;
  } catch {
    return undefined;
  }
}

/** The message of an error answer, as DynamoDB words it. */
export function messageOf(response: DynamoDbHttpResponse): string {
  try {
    const body = JSON.parse(response.body) as { message?: unknown; Message?: unknown };
    return String(body.message ?? body.Message ?? '');
  } catch {
    return '';
  }
}

/** Base class of every error the local DynamoDB throws (not DynamoDB's own answers, which are the responses above). */
export abstract class LocalDynamoDbError extends LocalError {}

/** A throttle spec the admin endpoint refuses (HTTP 400). */
export class ThrottleSpecError extends LocalDynamoDbError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('ThrottleSpecError', message);
  }
}
