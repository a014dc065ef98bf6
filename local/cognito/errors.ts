/**
 * The errors the local Cognito user pool defines, with one base class. What
 * a client sees of them is the admin routes' JSON answer (routes.ts):
 * MintTokensError becomes a 400 InvalidParameterException with its message.
 *
 * | error             | retryable | when                                                                  |
 * | ----------------- | --------- | --------------------------------------------------------------------- |
 * | MintTokensError   | no        | a lifetime Cognito would not give, an issue time in the future, an empty username |
 */
import { LocalError } from '../errors.ts';

/** Base class of every error the local Cognito defines. */
export abstract class LocalCognitoError extends LocalError {}

/** Mint arguments the pool refuses: a lifetime Cognito would not give, an issue time in the future, an empty username. */
export class MintTokensError extends LocalCognitoError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('MintTokensError', message);
  }
}
