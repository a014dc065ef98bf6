/**
 * reconciler Lambda: run on a schedule (EventBridge on AWS; at start and
 * periodically offline) so no image stays PENDING forever.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { completionCallbacksFromEnv, tableStoreFromEnv, terminalImagePublisherFromEnv } from '../shared/from-env.ts';
import { requireEnv } from '../shared/env.ts';
import { reconcile, type ReconcileDeps, type ReconcileSummary } from './reconcile.ts';
import { reconcileOptionsOf, type ReconcileEvent } from './reconcile-event.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();

const deps: ReconcileDeps = {
  store: tableStoreFromEnv(),
  publisher: terminalImagePublisherFromEnv(),
  callbacks: completionCallbacksFromEnv(logger),
  s3: new S3Client({}),
  bucket: requireEnv('UPLOAD_BUCKET'),
  logger,
};

/** A scheduled event's `time` is the run's "now" (the clock without it); `redriveAfterSeconds` is for a run right after a restart. */
export const handler = async (event: ReconcileEvent | null, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ReconcileSummary> =>
  reconcile(
    // The run stops starting work before Lambda's timeout would cut it off mid-image.
    context ? { ...deps, remainingTimeMs: () => context.getRemainingTimeInMillis() } : deps,
    reconcileOptionsOf(event),
  );
