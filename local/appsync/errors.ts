/**
 * The errors the local AppSync throws, with one base class. What a client
 * sees is never one of these as it is: server/errors.ts shapes every answer
 * (errorType and message as AppSync words them), and data-sources/errors.ts
 * the `ctx.error` a resolver sees. This module imports only ../errors.ts, so any part
 * of local/appsync can throw these without an import cycle.
 *
 * | error                  | retryable  | when                                                                      |
 * | ---------------------- | ---------- | ------------------------------------------------------------------------- |
 * | InvalidRequestError    | no         | a resolver returned a request AppSync does not accept (errorType MappingTemplate) |
 * | DynamoDbServiceError   | per answer | DynamoDB answered an error: throttling and 5xx are worth sending again      |
 * | EvaluationTimeoutError | no         | a handler ran past its time limit (the same code runs as long again)        |
 * | ResolverCodeError      | no         | resolver code that cannot be loaded or evaluated (at start)                 |
 * | SandboxTimeout         | no         | the sandbox thread did not answer within the time limit (it was ended)      |
 * | SandboxThreadError     | yes        | the sandbox thread did not start, or exited while a request waited on it    |
 * | RealtimeLimitError     | no         | a realtime limit applied to what the server would send (logged, never sent) |
 */
import { LocalError } from '../errors.ts';

/** Base class of every error the local AppSync defines. */
export abstract class LocalAppSyncError extends LocalError {}

/** The request object the handler returned is not one AppSync accepts; the field fails. */
export class InvalidRequestError extends LocalAppSyncError {
  public readonly errorType = 'MappingTemplate';
  public readonly retryable = false;

  public constructor(message: string) {
    super('InvalidRequestError', message);
  }
}

/** DynamoDB's exceptions that say "not now" rather than "not this". */
const retryableDynamoDbErrors = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TransactionConflictException']);

/** A DynamoDB error answer, named as the SDK names it (`ConditionalCheckFailedException`, …). */
export class DynamoDbServiceError extends LocalAppSyncError {
  public readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  public readonly retryable: boolean;

  public constructor(
    name: string,
    message: string,
    httpStatusCode: number,
    requestId: string | undefined,
    /** A TransactionCanceledException's reasons, one per item. */
    public readonly cancellationReasons?: readonly { readonly Code?: string; readonly Message?: string }[],
  ) {
    super(name, message);
    this.$metadata = { httpStatusCode, requestId };
    this.retryable = httpStatusCode >= 500 || retryableDynamoDbErrors.has(name);
  }
}

/** A handler that ran past its time limit; evaluate.ts turns it into the field's error. */
export class EvaluationTimeoutError extends LocalAppSyncError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('EvaluationTimeoutError', message);
  }
}

/**
 * The sandbox thread did not answer within the time limit and was ended; sandbox.ts turns it into
 * EvaluationTimeoutError (or ResolverCodeError while loading). `callIndex` is the call of a chain
 * that was under way.
 */
export class SandboxTimeout extends LocalAppSyncError {
  public readonly retryable = false;

  public constructor(
    message: string,
    public readonly callIndex = 0,
  ) {
    super('SandboxTimeout', message);
  }
}

/**
 * The sandbox thread could not be started or exited while a request waited on it: a bug or a crash
 * here, not in resolver code. The next call starts a fresh thread, so the same request may succeed again.
 */
export class SandboxThreadError extends LocalAppSyncError {
  public readonly retryable = true;

  public constructor(message: string, options?: ErrorOptions) {
    super('SandboxThreadError', message, options);
  }
}

/**
 * Resolver code that cannot be loaded into the local AppSync; `code` is the
 * file as api/manifest.ts names it. A bundle that breaks an APPSYNC_JS rule
 * is api/appsync-js-check.ts's AppSyncJsCheckError; this covers what goes
 * wrong after the check (a bundle that cannot be evaluated).
 */
export class ResolverCodeError extends LocalAppSyncError {
  public readonly retryable = false;

  public constructor(
    public readonly code: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super('ResolverCodeError', `${code} ${problem}`, options);
  }
}

/** A realtime limit applied to what the server would send; reported to the server log, never to the client. */
export class RealtimeLimitError extends LocalAppSyncError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('RealtimeLimitError', message);
  }
}
