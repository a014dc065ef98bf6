/**
 * labeling-failed Lambda: the labeler's async on-failure destination. Lambda
 * hands it the destination record once the labeler's retries are exhausted;
 * every image of that S3 event ends FAILED and is pushed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { completionCallbacksFromEnv, tableStoreFromEnv, terminalImagePublisherFromEnv } from '../shared/from-env.ts';
import { failedImagesOf, type OnFailureRecord } from './failure-record.ts';
import { markImageFailed, type MarkFailedDeps, type MarkFailedOutcome } from '../shared/mark-image-failed.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();

const deps: MarkFailedDeps = {
  store: tableStoreFromEnv(),
  publisher: terminalImagePublisherFromEnv(),
  callbacks: completionCallbacksFromEnv(logger),
  logger,
};

export const handler = async (record: OnFailureRecord): Promise<MarkFailedOutcome[]> => {
  const outcomes: MarkFailedOutcome[] = [];
  for (const failed of failedImagesOf(record)) {
    outcomes.push(await markImageFailed(deps, failed.imageId, failed.reason));
  }
  logger.info('labeler failure handled', { condition: record.requestContext.condition, outcomes });
  return outcomes;
};
