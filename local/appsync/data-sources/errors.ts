/**
 * Errors of the local AppSync data sources, shaped as AppSync reports them:
 * `ctx.error = { message, type }`, with type `<Service>:<ErrorCode>`.
 */

/** A data-source failure the response handler sees as ctx.error. */
export interface DataSourceError {
  readonly message: string;
  readonly type: string;
}

/** The request object the handler returned is not one AppSync accepts; the field fails. */
export class InvalidRequestError extends Error {
  public readonly errorType = 'MappingTemplate';
  public constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** AppSync's answer to a nextToken it did not issue or that was altered. */
export const invalidNextToken: DataSourceError = {
  type: 'DynamoDB:UserIllegalArgumentException',
  message: 'com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given.',
};

/** DynamoDB exceptions AppSync names as they are; anything else is reported as DynamoDbException. */
const namedDynamoDbErrors = new Set([
  'ConditionalCheckFailedException',
  'ProvisionedThroughputExceededException',
  'ResourceNotFoundException',
  'ItemCollectionSizeLimitExceededException',
  'TransactionCanceledException',
  'TransactionConflictException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

/** Wording of AppSync's DynamoDB errors: the service message plus "(Service: DynamoDb, Status Code: ..., Request ID: ...)". */
export function dynamoDbError(error: unknown): DataSourceError {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const code = sdk.name && namedDynamoDbErrors.has(sdk.name) ? sdk.name : 'DynamoDbException';
  const status = sdk.$metadata?.httpStatusCode ?? 400;
  const requestId = sdk.$metadata?.requestId ?? 'local';
  const message = sdk.message || String(error);
  return { type: `DynamoDB:${code}`, message: `${message} (Service: DynamoDb, Status Code: ${status}, Request ID: ${requestId})` };
}

export function conditionalCheckFailed(requestId: string): DataSourceError {
  return dynamoDbError({
    name: 'ConditionalCheckFailedException',
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400, requestId },
  });
}

export function lambdaError(error: unknown): DataSourceError {
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'Lambda:Unhandled', message };
}
