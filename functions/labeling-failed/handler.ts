/**
 * labeling-failed Lambda: fed by the event source mapping of the labelling
 * queue's dead-letter queue (api/labeling-queue.ts). Every image of each dead
 * letter ends FAILED and is pushed; a message whose image could not be failed
 * (DynamoDB or AppSync down) goes back to the dead-letter queue for the next
 * poll (partial batch response).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { completionCallbacksFromEnv, tableStoreFromEnv, terminalImagePublisherFromEnv } from '../shared/from-env.ts';
import { failedImagesOf } from './failure-record.ts';
import { markImageFailed, type MarkFailedDeps } from '../shared/mark-image-failed.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();

const deps: MarkFailedDeps = {
  store: tableStoreFromEnv(),
  publisher: terminalImagePublisherFromEnv(),
  callbacks: completionCallbacksFromEnv(logger),
  logger,
};

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      for (const failed of failedImagesOf(record)) {
        const outcome = await markImageFailed(deps, failed.imageId, failed.reason);
        logger.info('dead letter handled', { messageId: record.messageId, imageId: failed.imageId, outcome });
      }
    } catch (error) {
      logger.error('dead letter not handled; it stays in the dead-letter queue', { messageId: record.messageId, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
