/**
 * The errors the local Cognito user pool defines, with one base class. What
 * a client sees of them: MintTokensError becomes the admin routes' 400
 * InvalidParameterException with its message (routes.ts); a CognitoApiError,
 * or a RefusedBody's, is the user pool API's answer as Cognito sends it
 * (identity-provider.ts).
 *
 * | error             | retryable | when                                                                  |
 * | ----------------- | --------- | --------------------------------------------------------------------- |
 * | MintTokensError   | no        | a lifetime Cognito would not give, an issue time in the future, an empty username |
 * | CognitoApiError   | TooManyRequestsException and 5xx only | a refusal of the user pool API (the *-operations.ts modules, sessions.ts, request-fields.ts, user-pool-api.ts, identity-provider.ts) in Cognito's terms: `__type`, message, status |
 * | RefusedBody       | as its answer | a request body refused while read (past 64 KiB, or the stack's body budget): identity-provider.ts answers its CognitoApiError |
 * | CognitoInvariantError | no    | the pool's own code broke a rule it keeps (a failure record set past its bound, recent-failures.ts): a bug, answered as any failure of the pool's own, InternalErrorException with no detail |
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

/** A refusal in Cognito's terms: its `__type`, message and HTTP status, which identity-provider.ts writes as Cognito does. */
export class CognitoApiError extends LocalCognitoError {
  public constructor(
    public readonly type: string,
    message: string,
    public readonly status = 400,
  ) {
    super('CognitoApiError', message);
  }

  /** A quota refusal or the pool's own failure may succeed later; any other refusal answers the same again. */
  public get retryable(): boolean {
    return this.type === 'TooManyRequestsException' || this.status >= 500;
  }
}

/** Cognito's answer past a quota, and offline past a local bound on what requests may store (retryable). */
export const tooManyRequests = () => new CognitoApiError('TooManyRequestsException', 'Too many requests');

/** Cognito's answer once a user's wrong codes or resends are used up (code-attempts.ts, resend-limit.ts). */
export const attemptLimitExceeded = () => new CognitoApiError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');

/** A request body refused while it was read (too large, or past the stack's body budget), carrying the answer to send. */
export class RefusedBody extends LocalCognitoError {
  public constructor(public readonly answer: CognitoApiError) {
    super('RefusedBody', answer.message);
  }

  public get retryable(): boolean {
    return this.answer.retryable;
  }
}

/** The pool's own code broke a rule it keeps (a bug, never the caller's doing): answered as InternalErrorException. */
export class CognitoInvariantError extends LocalCognitoError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('CognitoInvariantError', message);
  }
}
