/**
 * Rekognition's errors, as its JSON 1.1 protocol sends them: HTTP status,
 * `x-amzn-ErrorType` header and `{"__type", "Message"}` body. The modeled
 * Rekognition exceptions also carry `Code` and `Logref`; the SDK reads
 * `__type` (or the header) to pick the exception class.
 *
 * Every error the local Rekognition defines extends LocalRekognitionError:
 *
 * | error                | retryable | when                                                                   |
 * | -------------------- | --------- | ---------------------------------------------------------------------- |
 * | RekognitionError     | per code  | Rekognition's answer; ThrottlingException, ProvisionedThroughputExceededException and InternalServerError are worth sending again (the SDK retries them), the rest are not |
 * | ImageDecodeError     | no        | the bytes are no image Rekognition accepts (engine/decode.ts, in the vision worker) |
 * | ReleasedFilterError  | no        | a convolution called with a filter freed once packed, with settings its packed operator was not made for (engine/packed-filters.ts) |
 * | EngineClosedError    | no        | the vision engine was closed (the server is stopping)                  |
 * | WorkerBundleError    | no        | the engine worker's bundle could not be built or written (engine/worker-bundle.ts); the worker then runs from its sources (engine/worker-start.ts) |
 * | FaultSpecError       | no        | the faults hook's body is not a fault spec (answered HTTP 400)          |
 * | TpsQuotaError        | no        | LABELCAST_REKOGNITION_TPS is no positive, finite number                |
 * | VisionEngineHostError | no       | the vision engine host LABELCAST_VISION_ENGINE_SOCKET names does not answer as one (engine-connection.ts) |
 *
 * Not here: FrameTooLargeError (engine-frames.js), a plain Error, since that file is plain JavaScript the tests'
 * vision engine host imports without a loader, and cannot import this one.
 */
import { LocalError } from '../errors.ts';
import { SignatureErrorCode } from '../iam/json-service-errors.ts';

export const RekognitionErrorCode = {
  // Modeled Rekognition exceptions (AccessDeniedException too, among the signature failures).
  imageTooLarge: 'ImageTooLargeException',
  internalServerError: 'InternalServerError',
  invalidImageFormat: 'InvalidImageFormatException',
  invalidParameter: 'InvalidParameterException',
  invalidS3Object: 'InvalidS3ObjectException',
  provisionedThroughputExceeded: 'ProvisionedThroughputExceededException',
  throttling: 'ThrottlingException',
  // Common errors of every AWS JSON service.
  ...SignatureErrorCode,
  serialization: 'SerializationException',
  /** A member outside its modeled constraint (Image.Bytes longer than 5,242,880 bytes). */
  validation: 'ValidationException',
  unknownOperation: 'UnknownOperationException',
} as const;
export type RekognitionErrorCode = (typeof RekognitionErrorCode)[keyof typeof RekognitionErrorCode];

const httpStatusOf: Readonly<Record<RekognitionErrorCode, number>> = {
  AccessDeniedException: 400,
  ImageTooLargeException: 400,
  InternalServerError: 500,
  InvalidImageFormatException: 400,
  InvalidParameterException: 400,
  InvalidS3ObjectException: 400,
  // Rekognition models throttling as a server fault (5xx); the per-account TPS limit as a client one.
  ProvisionedThroughputExceededException: 400,
  ThrottlingException: 500,
  IncompleteSignatureException: 400,
  InvalidSignatureException: 400,
  MissingAuthenticationTokenException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  UnrecognizedClientException: 400,
  ValidationException: 400,
};

/** Messages as Rekognition words them. */
export const RekognitionErrorMessage = {
  invalidImageFormat: 'Request has invalid image format',
  invalidParameters: 'Request has Invalid Parameters',
  imageTooLarge: 'Image size is too large.',
  /** A member longer than its model allows, as the AWS JSON protocol's validation words it. */
  memberTooLong: (path: string, maxLength: number) =>
    `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`,
  invalidS3Object: 'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
} as const;

const modeledCodes = new Set<string>([
  RekognitionErrorCode.accessDenied,
  RekognitionErrorCode.imageTooLarge,
  RekognitionErrorCode.internalServerError,
  RekognitionErrorCode.invalidImageFormat,
  RekognitionErrorCode.invalidParameter,
  RekognitionErrorCode.invalidS3Object,
  RekognitionErrorCode.provisionedThroughputExceeded,
  RekognitionErrorCode.throttling,
]);

/** Base class of every error the local Rekognition defines. */
export abstract class LocalRekognitionError extends LocalError {}

const retryableCodes = new Set<string>([
  RekognitionErrorCode.throttling,
  RekognitionErrorCode.provisionedThroughputExceeded,
  RekognitionErrorCode.internalServerError,
]);

/** An error answer as Rekognition sends it. */
export class RekognitionError extends LocalRekognitionError {
  public readonly code: RekognitionErrorCode;
  public readonly statusCode: number;
  public readonly retryable: boolean;

  public constructor(code: RekognitionErrorCode, message: string, options?: ErrorOptions) {
    super('RekognitionError', message, options);
    this.code = code;
    this.statusCode = httpStatusOf[code];
    this.retryable = retryableCodes.has(code);
  }

  /** The JSON body AWS sends for this error. */
  public body(requestId: string): Record<string, string> {
    const body: Record<string, string> = { __type: this.code, Message: this.message };
    if (modeledCodes.has(this.code)) {
      body.Code = this.code;
      body.Logref = requestId;
    }
    return body;
  }
}

export const invalidParameter = (detail?: string): RekognitionError =>
  new RekognitionError(RekognitionErrorCode.invalidParameter, detail ? `${RekognitionErrorMessage.invalidParameters}: ${detail}` : RekognitionErrorMessage.invalidParameters);

/** Why an image cannot be analysed (ImageDecodeError's problem); operations map these onto Rekognition errors. */
export const ImageProblem = {
  invalidFormat: 'invalidFormat',
  tooLarge: 'tooLarge',
  /** A side over RekognitionLimits.maxSidePx; the message names the dimensions. */
  dimensionsTooLarge: 'dimensionsTooLarge',
  /** A side under RekognitionLimits.minSidePx. */
  dimensionsTooSmall: 'dimensionsTooSmall',
} as const;
export type ImageProblem = (typeof ImageProblem)[keyof typeof ImageProblem];

/** Bytes the engine cannot decode as Rekognition would accept them (engine/decode.ts); sending them again gives the same answer. */
export class ImageDecodeError extends LocalRekognitionError {
  public readonly retryable = false;

  public constructor(
    public readonly problem: ImageProblem,
    message: string,
    options?: ErrorOptions,
  ) {
    super('ImageDecodeError', message, options);
  }
}

/** A convolution called with a filter freed once packed, with settings its packed operator was not made for (engine/packed-filters.ts). */
export class ReleasedFilterError extends LocalRekognitionError {
  public readonly retryable = false;

  public constructor(kernel: string, settings: string, packedFor: string) {
    super('ReleasedFilterError', `${kernel} was called with a filter freed once packed, with settings ${settings} instead of ${packedFor}`);
  }
}

/** The vision engine was closed; what waited on it fails. */
export class EngineClosedError extends LocalRekognitionError {
  public readonly retryable = false;

  public constructor() {
    super('EngineClosedError', 'the vision engine is closed');
  }
}

/** The engine worker's bundle could not be built (engine/worker-bundle.ts): the engine cannot start. */
export class WorkerBundleError extends LocalRekognitionError {
  public readonly retryable = false;

  public constructor(message: string, options?: ErrorOptions) {
    super('WorkerBundleError', message, options);
  }
}

/** A fault request the admin endpoint refuses (HTTP 400). */
export class FaultSpecError extends LocalRekognitionError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('FaultSpecError', message);
  }
}

/** A quota that is no positive, finite number. */
export class TpsQuotaError extends LocalRekognitionError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('TpsQuotaError', message);
  }
}

/**
 * The vision engine host a stack or test process connects to (LABELCAST_VISION_ENGINE_SOCKET, ./engine-connection.ts)
 * does not answer as one: none listens, it ended the connection, it sent no greeting in time, or what it sent is not
 * its frames.
 */
export class VisionEngineHostError extends LocalRekognitionError {
  public readonly retryable = false;

  public constructor(message: string, options?: ErrorOptions) {
    super('VisionEngineHostError', message, options);
  }
}
