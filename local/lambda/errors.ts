/**
 * The local Lambda's errors, with one base class. The Invoke API's refusals
 * are Lambda's (`x-amzn-ErrorType` header, `{"Type","message"}` body, the
 * status and message casing of Lambda's model).
 *
 * | error                   | retryable        | when                                                                       |
 * | ----------------------- | ---------------- | -------------------------------------------------------------------------- |
 * | LambdaApiError          | 5xx and 429      | an Invoke refused before the function runs (ServiceException is 500)       |
 * | FunctionError           | yes              | the function threw ("Unhandled"); Lambda retries an async invocation, SQS redelivers |
 * | LocalQueueError         | no               | a queue setting SQS would refuse                                           |
 * | EventSourceMappingError | no               | a mapping CreateEventSourceMapping would refuse, or the function's role may not poll (InvalidParameterValueException); or one with a batching window, which the local mapping does not run |
 * | FunctionBundleError     | no               | the functions' bundles could not be built (function-bundle.ts): every invocation fails, as a deploy of them would |
 * | FunctionConfigurationError | no            | a function CreateFunction would refuse (its environment past Lambda's limit): the runtime does not start |
 */
import { LocalError } from '../errors.ts';
import { SignatureErrorCode } from '../iam/json-service-errors.ts';

/** Base class of every error the local Lambda defines. */
export abstract class LocalLambdaError extends LocalError {}

export const LambdaErrorCode = {
  invalidRequestContent: 'InvalidRequestContentException',
  requestTooLarge: 'RequestTooLargeException',
  resourceNotFound: 'ResourceNotFoundException',
  service: 'ServiceException',
  tooManyRequests: 'TooManyRequestsException',
  unknownOperation: 'UnknownOperationException',
  validation: 'ValidationException',
  // Signature failures.
  ...SignatureErrorCode,
} as const;
export type LambdaErrorCode = (typeof LambdaErrorCode)[keyof typeof LambdaErrorCode];

/** Status, and the casing of the message field, per error as Lambda's model defines them. */
const errorShapes: Readonly<Record<LambdaErrorCode, { readonly status: number; readonly messageField: 'message' | 'Message' }>> = {
  InvalidRequestContentException: { status: 400, messageField: 'message' },
  RequestTooLargeException: { status: 413, messageField: 'message' },
  ResourceNotFoundException: { status: 404, messageField: 'Message' },
  ServiceException: { status: 500, messageField: 'Message' },
  TooManyRequestsException: { status: 429, messageField: 'message' },
  UnknownOperationException: { status: 404, messageField: 'message' },
  ValidationException: { status: 400, messageField: 'message' },
  AccessDeniedException: { status: 403, messageField: 'message' },
  IncompleteSignatureException: { status: 403, messageField: 'message' },
  InvalidSignatureException: { status: 403, messageField: 'message' },
  MissingAuthenticationTokenException: { status: 403, messageField: 'message' },
  UnrecognizedClientException: { status: 403, messageField: 'message' },
};

/** An invoke Lambda refuses before running the function; a ServiceException (5xx) or TooManyRequestsException (429, which the SDKs retry) is worth sending again. */
export class LambdaApiError extends LocalLambdaError {
  public readonly code: LambdaErrorCode;
  public readonly statusCode: number;
  public readonly retryable: boolean;

  /** TooManyRequestsException's Reason (a ThrottleReason of Lambda's model). */
  public readonly reason?: string;

  public constructor(code: LambdaErrorCode, message: string, options?: ErrorOptions & { readonly reason?: string }) {
    super('LambdaApiError', message, options);
    this.code = code;
    if (options?.reason !== undefined) this.reason = options.reason;
    this.statusCode = errorShapes[code].status;
    this.retryable = this.statusCode >= 500 || code === LambdaErrorCode.tooManyRequests;
  }

  /** The JSON body Lambda sends: `Type` says whose fault it is. */
  public body(): Record<string, string> {
    return {
      Type: this.statusCode >= 500 ? 'Service' : 'User',
      [errorShapes[this.code].messageField]: this.message,
      ...(this.reason === undefined ? {} : { Reason: this.reason }),
    };
  }
}

/** An invocation that ended with the function's error, as Lambda reports "Unhandled"; its name is the function's errorType. */
export class FunctionError extends LocalLambdaError {
  public readonly retryable = true;

  public constructor(
    public readonly errorType: string,
    message: string,
    public readonly trace: readonly string[] = [],
  ) {
    super(errorType, message);
  }
}

/** A queue setting that SQS would refuse. */
export class LocalQueueError extends LocalLambdaError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('LocalQueueError', message);
  }
}

/**
 * A mapping CreateEventSourceMapping refuses (a setting, or a role that may not poll), refused as it refuses it; and
 * one with a batching window, which AWS accepts but the local mapping does not run (event-source-mapping.ts).
 */
export class EventSourceMappingError extends LocalLambdaError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('InvalidParameterValueException', message);
  }
}

/** A bundle that could not be built: the function cannot start, as a deploy of it would fail. */
export class FunctionBundleError extends LocalLambdaError {
  public readonly retryable = false;

  public constructor(message: string, options?: ErrorOptions) {
    super('FunctionBundleError', message, options);
  }
}

/** A function Lambda would not create, with CreateFunction's error code (its name) and message; the runtime does not start. */
export class FunctionConfigurationError extends LocalLambdaError {
  public readonly retryable = false;

  public constructor(
    public readonly functionName: string,
    message: string,
  ) {
    super('InvalidParameterValueException', message);
  }
}
