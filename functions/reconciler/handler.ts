/**
 * reconciler Lambda: run on a schedule (EventBridge on AWS; at start and
 * periodically offline) so no image stays PENDING forever.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { tableStoreFromEnv, terminalImagePublisherFromEnv } from '../shared/from-env.ts';
import { requireEnv } from '../shared/env.ts';
import { reconcile, type ReconcileDeps, type ReconcileSummary } from './reconcile.ts';

const logger = new Logger({ serviceName: 'reconciler' });

const deps: ReconcileDeps = {
  store: tableStoreFromEnv(),
  publisher: terminalImagePublisherFromEnv(logger),
  s3: new S3Client({}),
  bucket: requireEnv('UPLOAD_BUCKET'),
  logger,
};

/** A scheduled event carries no options; `redriveAfterSeconds` is for a run right after a restart. */
export const handler = async (event: { redriveAfterSeconds?: number } | null): Promise<ReconcileSummary> =>
  reconcile(deps, { redriveAfterSeconds: typeof event?.redriveAfterSeconds === 'number' ? event.redriveAfterSeconds : undefined });
