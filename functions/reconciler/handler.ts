/**
 * reconciler Lambda: run on a schedule (EventBridge on AWS; at start and
 * periodically offline) so no image stays PENDING forever.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callbackSenderFromEnv, withCompletionCallbacks } from '../shared/callback.ts';
import { requireEnv } from '../shared/env.ts';
import { appSyncPublisher } from '../labeler/publish.ts';
import { reconcile, type ReconcileDeps, type ReconcileSummary } from './reconcile.ts';

const logger = new Logger({ serviceName: 'reconciler' });

const deps: ReconcileDeps = {
  store: {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    tableName: requireEnv('IMAGES_TABLE'),
  },
  publisher: withCompletionCallbacks(appSyncPublisher({ graphqlUrl: requireEnv('APPSYNC_URL'), region: requireEnv('AWS_REGION') }), callbackSenderFromEnv(logger)),
  s3: new S3Client({}),
  bucket: requireEnv('UPLOAD_BUCKET'),
  logger,
};

/** A scheduled event carries no options; `redriveAfterSeconds` is for a run right after a restart. */
export const handler = async (event: { redriveAfterSeconds?: number } | null): Promise<ReconcileSummary> =>
  reconcile(deps, { redriveAfterSeconds: typeof event?.redriveAfterSeconds === 'number' ? event.redriveAfterSeconds : undefined });
