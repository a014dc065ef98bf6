/**
 * Errors of the local AppSync data sources, shaped as AppSync reports them:
 * `ctx.error = { message, type }`, with type `<Service>:<ErrorCode>`. The
 * classes the data sources throw are ../errors.ts's.
 */

/** A data-source failure the response handler sees as ctx.error. */
export interface DataSourceError {
  readonly message: string;
  readonly type: string;
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

/**
 * Wording of AppSync's DynamoDB errors: the service message plus "(Service: DynamoDb, Status Code: ..., Request ID: ...)".
 * Only an answer of DynamoDB itself (one with an HTTP status) is worded from its message. Anything
 * else (no connection, a bug in this data source) is DynamoDB's generic 500: its Node text, which may
 * carry paths of this machine, goes to the operator's log and never into ctx.error, as AWS never shows
 * AppSync's own internals either.
 */
export function dynamoDbError(error: unknown): DataSourceError {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  const requestId = sdk.$metadata?.requestId ?? 'local';
  if (status === undefined || !sdk.message) {
    console.error('[appsync] DynamoDB data source failed:', error);
    return { type: 'DynamoDB:InternalServerError', message: `Internal server error (Service: DynamoDb, Status Code: 500, Request ID: ${requestId})` };
  }
  const code = sdk.name && namedDynamoDbErrors.has(sdk.name) ? sdk.name : 'DynamoDbException';
  return { type: `DynamoDB:${code}`, message: `${sdk.message} (Service: DynamoDb, Status Code: ${status}, Request ID: ${requestId})` };
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
