/**
 * What each area's errors say is retryable (the tables at the top of each
 * errors.ts): AWS's "not now" answers (throttling, 5xx) are, a refusal of
 * the request itself is not.
 */
import { describe, expect, it } from 'vitest';
import { UploadRefusedError } from '../../client-example/lib/errors.ts';
import { DynamoDbServiceError, InvalidRequestError, LocalAppSyncError } from '../../local/appsync/errors.ts';
import { CognitoApiError, LocalCognitoError, RefusedBody } from '../../local/cognito/errors.ts';
import { LocalDynamoDbError, ThrottleSpecError } from '../../local/dynamodb/errors.ts';
import { BodyTooLargeError, LocalError } from '../../local/errors.ts';
import { FunctionBundleError, FunctionError, LambdaApiError, LambdaErrorCode, LocalLambdaError } from '../../local/lambda/errors.ts';
import { ImageDecodeError, ImageProblem, LocalRekognitionError, ReleasedFilterError, RekognitionError, RekognitionErrorCode } from '../../local/rekognition/errors.ts';

describe('Class: RekognitionError', () => {
  it.each([
    [RekognitionErrorCode.throttling, true],
    [RekognitionErrorCode.provisionedThroughputExceeded, true],
    [RekognitionErrorCode.internalServerError, true],
    [RekognitionErrorCode.invalidImageFormat, false],
    [RekognitionErrorCode.imageTooLarge, false],
    [RekognitionErrorCode.invalidSignature, false],
  ])('says %s is retryable: %s', (code, retryable) => {
    // Act
    const error = new RekognitionError(code, 'message');

    // Assess
    expect(error).toBeInstanceOf(LocalRekognitionError);
    expect(error.retryable).toBe(retryable);
    expect(error.body('request-id').__type).toBe(code);
  });
});

describe('Class: LocalRekognitionError', () => {
  it("is the base of the engine's refusals, which no retry changes", () => {
    // Act
    const decode = new ImageDecodeError(ImageProblem.invalidFormat, 'Request has invalid image format');
    const released = new ReleasedFilterError('Conv2D', 'strides 2', 'strides 1');

    // Assess
    for (const error of [decode, released]) expect(error).toBeInstanceOf(LocalRekognitionError);
    expect(decode).toMatchObject({ name: 'ImageDecodeError', problem: 'invalidFormat', retryable: false });
    expect(released).toMatchObject({
      name: 'ReleasedFilterError',
      message: 'Conv2D was called with a filter freed once packed, with settings strides 2 instead of strides 1',
      retryable: false,
    });
  });
});

describe('Class: CognitoApiError', () => {
  it("retries Cognito's TooManyRequestsException and its own failures (5xx) only, and a refused body as its answer", () => {
    // Act
    const tooMany = new CognitoApiError('TooManyRequestsException', 'Too many requests');
    const internal = new CognitoApiError('InternalErrorException', 'An internal error occurred.', 500);
    const incorrect = new CognitoApiError('NotAuthorizedException', 'Incorrect username or password.');

    // Assess
    for (const error of [tooMany, internal, incorrect, new RefusedBody(tooMany)]) expect(error).toBeInstanceOf(LocalCognitoError);
    expect([tooMany.retryable, internal.retryable, incorrect.retryable]).toEqual([true, true, false]);
    expect([new RefusedBody(tooMany).retryable, new RefusedBody(incorrect).retryable]).toEqual([true, false]);
    expect(incorrect).toMatchObject({ name: 'CognitoApiError', type: 'NotAuthorizedException', status: 400 });
  });
});

describe('Class: LambdaApiError', () => {
  it('retries a ServiceException (500) and a TooManyRequestsException (429), as the SDKs do, and keeps its name and status', () => {
    // Act
    const service = new LambdaApiError(LambdaErrorCode.service, 'Internal error');
    const tooMany = new LambdaApiError(LambdaErrorCode.tooManyRequests, 'Rate exceeded');
    const notFound = new LambdaApiError(LambdaErrorCode.resourceNotFound, 'Function not found');

    // Assess
    expect([service.retryable, service.statusCode, service.name]).toEqual([true, 500, 'LambdaApiError']);
    expect([tooMany.retryable, tooMany.statusCode]).toEqual([true, 429]);
    expect([notFound.retryable, notFound.statusCode]).toEqual([false, 404]);
    expect(notFound).toBeInstanceOf(LocalLambdaError);
    expect(new FunctionError('TypeError', 'boom')).toMatchObject({ name: 'TypeError', retryable: true });
  });
});

describe('Class: FunctionBundleError', () => {
  it('is a local Lambda error that building again does not fix, keeping its cause', () => {
    // Act
    const cause = new Error('Expected ";" but found "}"');
    const error = new FunctionBundleError('could not bundle the functions: broken-handler.ts', { cause });

    // Assess
    expect(error).toBeInstanceOf(LocalLambdaError);
    expect(error).toMatchObject({ name: 'FunctionBundleError', retryable: false, cause });
  });
});

describe('Class: DynamoDbServiceError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', 400, true],
    ['TransactionConflictException', 400, true],
    ['InternalServerError', 500, true],
    ['ConditionalCheckFailedException', 400, false],
    ['ValidationException', 400, false],
  ])('says %s (HTTP %i) is retryable: %s', (name, status, retryable) => {
    // Act
    const error = new DynamoDbServiceError(name, 'message', status, 'request-id');

    // Assess
    expect(error).toBeInstanceOf(LocalAppSyncError);
    expect([error.name, error.retryable, error.$metadata.httpStatusCode]).toEqual([name, retryable, status]);
  });

  it('keeps a refused request final', () => {
    expect(new InvalidRequestError('bad key')).toMatchObject({ name: 'InvalidRequestError', errorType: 'MappingTemplate', retryable: false });
  });
});

describe('Class: LocalDynamoDbError', () => {
  it('is the base of the local DynamoDB errors, and a LocalError as the shared ones are', () => {
    expect(new ThrottleSpecError('bad')).toBeInstanceOf(LocalDynamoDbError);
    expect(new ThrottleSpecError('bad')).toBeInstanceOf(LocalError);
    expect(new BodyTooLargeError(4096)).toMatchObject({ name: 'BodyTooLargeError', retryable: false });
  });
});

describe('Class: UploadRefusedError', () => {
  it('retries what S3 refused with a 5xx, not a 403, and words the message as before', () => {
    // Act
    const slowDown = new UploadRefusedError(503, 'SlowDown');
    const expired = new UploadRefusedError(403, 'AccessDenied');

    // Assess
    expect([slowDown.retryable, slowDown.message]).toEqual([true, 'upload refused: HTTP 503 SlowDown']);
    expect([expired.retryable, expired.message]).toEqual([false, 'upload refused: HTTP 403 AccessDenied']);
  });
});
