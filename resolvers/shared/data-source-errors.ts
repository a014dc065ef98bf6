/**
 * What a client is told when a data source fails (ctx.error). AppSync hands
 * the resolver the service's own words, e.g. `DynamoDB:DynamoDbException` with
 * "... (Service: DynamoDb, Status Code: 400, Request ID: ...)" or a Java
 * exception name for a bad nextToken; passed on, they would show a client
 * DynamoDB's and AppSync's internals. These helpers end the field with a
 * short message of our own instead. Bundled into APPSYNC_JS resolvers, so it
 * keeps to that runtime (no regex, no throw).
 *
 * @example
 * if (ctx.error) failOnDataSourceError(ctx.error, 'read the image');
 */
import { util } from '@aws-appsync/utils';
import { badRequest, invalidNextTokenMessage } from './arguments.ts';

/** ctx.error as AppSync sets it: `type` is `<Service>:<ErrorCode>`. */
export interface DataSourceFailure {
  readonly message: string;
  readonly type: string;
}

/** Error codes that mean "too many requests now", from DynamoDB or Lambda: worth a retry. */
const throttlingCodes = [
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'TooManyRequestsException',
];

function isThrottled(failure: DataSourceFailure): boolean {
  const { type } = failure;
  for (const code of throttlingCodes) {
    if (type.endsWith(`:${code}`)) return true;
  }
  return false;
}

/**
 * Ends the field for a data-source failure the client did not cause:
 * ThrottlingException (try again) when the service was busy, else
 * InternalFailure. `action` completes "Could not …".
 */
export function failOnDataSourceError(failure: DataSourceFailure, action: string): never {
  if (isThrottled(failure)) util.error(`Could not ${action} right now; try again`, 'ThrottlingException');
  return util.error(`Could not ${action}`, 'InternalFailure');
}

/** How AppSync names a DynamoDB ValidationException: by its SDK's generic exception. */
const dynamoDbValidationTypes = ['DynamoDB:DynamoDbException', 'DynamoDB:AmazonDynamoDBException'];

/**
 * A Query page's failure. With a nextToken, a refused token is the client's
 * doing: AppSync's own check says `DynamoDB:UserIllegalArgumentException`
 * (forged, altered, or from another table or index), and DynamoDB refuses a
 * genuine token of another query of the same index ("The provided starting
 * key is outside query boundaries"), which AppSync reports as
 * `DynamoDB:DynamoDbException` (`DynamoDB:AmazonDynamoDBException` in older
 * APIs). Every other argument was checked before the Query, so that is the
 * only client-made DynamoDB error left.
 */
export function failOnPageError(failure: DataSourceFailure, nextToken: string | null, action: string): never {
  const refusedToken =
    failure.type === 'DynamoDB:UserIllegalArgumentException' || (nextToken !== null && dynamoDbValidationTypes.includes(failure.type));
  if (refusedToken) badRequest(invalidNextTokenMessage, 'nextToken');
  return failOnDataSourceError(failure, action);
}
