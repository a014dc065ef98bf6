/**
 * The ARNs the local services give their resources, in the local account:
 * what a local function's policy names (./function-roles.ts) and what each
 * service asks IAM about when it authorizes a call, so the two agree.
 */
import { localAccountId } from './principals.ts';

/** The local AppSync API's id: one API per stack. */
export const localGraphqlApiId = 'labelcast-local';

export const localBucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;
export const localTableArn = (region: string, table: string): string => `arn:aws:dynamodb:${region}:${localAccountId}:table/${table}`;
export const localGraphqlApiArn = (region: string): string => `arn:aws:appsync:${region}:${localAccountId}:apis/${localGraphqlApiId}`;
/** What `appsync:GraphQL` is checked on: one root field of an operation. */
export const localGraphqlFieldArn = (region: string, typeName: string, fieldName: string): string =>
  `${localGraphqlApiArn(region)}/types/${typeName}/fields/${fieldName}`;
export const localFunctionArn = (region: string, functionName: string): string => `arn:aws:lambda:${region}:${localAccountId}:function:${functionName}`;
export const localQueueArn = (region: string, queueName: string): string => `arn:aws:sqs:${region}:${localAccountId}:${queueName}`;
