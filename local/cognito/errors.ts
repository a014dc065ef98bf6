/**
 * The errors the local Cognito user pool defines, with one base class. What
 * a client sees of them is the admin routes' JSON answer (routes.ts):
 * MintTokensError becomes a 400 InvalidParameterException with its message.
 *
 * | error             | retryable | when                                                                  |
 * | ----------------- | --------- | --------------------------------------------------------------------- |
 * | MintTokensError   | no        | a lifetime Cognito would not give, an issue time in the future, an empty username |
 * | BodyTooLargeError | no        | an admin request body past its limit (answered 413)                   |
 */

/** Base class of every error the local Cognito defines. */
export abstract class LocalCognitoError extends Error {
  /** Whether sending the same request again may succeed. */
  public abstract readonly retryable: boolean;

  protected constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/** Mint arguments the pool refuses: a lifetime Cognito would not give, an issue time in the future, an empty username. */
export class MintTokensError extends LocalCognitoError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('MintTokensError', message);
  }
}

/** An admin request body past its size limit. */
export class BodyTooLargeError extends LocalCognitoError {
  public readonly retryable = false;

  public constructor(limitBytes: number) {
    super('BodyTooLargeError', `the body runs past ${limitBytes} bytes`);
  }
}
