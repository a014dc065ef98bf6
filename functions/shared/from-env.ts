/**
 * What several functions build the same way from their environment at cold
 * start: the images table and the publisher of terminal images.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { appSyncPublisher, type Publisher } from '../labeler/publish.ts';
import { callbackSenderFromEnv, withCompletionCallbacks } from './callback.ts';
import { requireEnv } from './env.ts';
import type { TableStore } from './table-store.ts';

/** The images table named by IMAGES_TABLE. */
export const tableStoreFromEnv = (): TableStore => ({
  documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  tableName: requireEnv('IMAGES_TABLE'),
});

/** Pushes a terminal image on AppSync (APPSYNC_URL, IAM-signed) and to its completion callback, if any. */
export const terminalImagePublisherFromEnv = (logger: Logger): Publisher =>
  withCompletionCallbacks(appSyncPublisher({ graphqlUrl: requireEnv('APPSYNC_URL'), region: requireEnv('AWS_REGION') }), callbackSenderFromEnv(logger));
