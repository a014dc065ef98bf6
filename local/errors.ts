/**
 * The base of every local service's error base class (LocalAppSyncError,
 * LocalDynamoDbError, LocalLambdaError, LocalRekognitionError, LocalIamError,
 * LocalCognitoError, each in its folder's errors.ts): a name, a cause, and
 * whether the same work may succeed again. Imports nothing, so any module
 * can throw without an import cycle. The Lambda functions have their own
 * (functions/shared/errors.ts): AWS code never imports the emulator.
 *
 * Shared by every service's HTTP boundary:
 *
 * | error             | retryable | when                                                              |
 * | ----------------- | --------- | ----------------------------------------------------------------- |
 * | BodyTooLargeError | no        | a request or hook body past its limit (readBoundedBody); answered 413 |
 */

export abstract class LocalError extends Error {
  /** Whether doing the same work again may succeed. */
  public abstract readonly retryable: boolean;

  protected constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/** A request or hook body past its size limit; the service answers 413 and reads no further. */
export class BodyTooLargeError extends LocalError {
  public readonly retryable = false;

  public constructor(limitBytes: number) {
    super('BodyTooLargeError', `the body runs past ${limitBytes} bytes`);
  }
}
