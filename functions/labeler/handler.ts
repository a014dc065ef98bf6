/**
 * Labeler Lambda: fed by the labelling queue's event source mapping
 * (api/labeling-queue.ts), which S3 fills with ObjectCreated events under the
 * uploads prefix. Answers with a partial batch response (queue-batch.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import sharp from 'sharp';
import { ImagePropertiesSetting, imagePropertiesSettingFrom } from '../../api/image-properties-setting.ts';
import { requireEnv } from '../shared/env.ts';
import { completionCallbacksFromEnv, tableStoreFromEnv, terminalImagePublisherFromEnv } from '../shared/from-env.ts';
import { markImageFailed } from '../shared/mark-image-failed.ts';
import { labelImage, type LabelerDeps } from './label-image.ts';
import { labelQueueBatch } from './queue-batch.ts';
import { rekognitionRetry } from './rekognition-retry.ts';
import { s3ThumbnailWriter } from './thumbnail.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();

// Each image is decoded once: libvips' operation cache (up to 50 MB by default) would only hold memory.
sharp.cache(false);
// One libvips thread per image: a 320 px thumbnail gains little from more, and each extra thread
// grows its own malloc arena (RSS that creeps up image after image).
sharp.concurrency(1);

const s3 = new S3Client({});

const deps: LabelerDeps = {
  store: tableStoreFromEnv(),
  rekognition: new RekognitionClient(rekognitionRetry),
  s3,
  publisher: terminalImagePublisherFromEnv(),
  callbacks: completionCallbacksFromEnv(logger),
  logger,
  thumbnails: s3ThumbnailWriter(s3),
  // ImagePropertiesSetting.functionVariable, spelled out so tests/infra/function-environment.test.ts sees it read;
  // declared in api/access.ts, always set (true or false); a bad value fails the cold start, naming the variable.
  imageProperties: imagePropertiesSettingFrom(requireEnv('DETECT_IMAGE_PROPERTIES'), ImagePropertiesSetting.functionVariable),
};

export const handler = async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
  // This invocation's time left: the batch starts no message without enough of it, and no push starts that could not end.
  const timed: LabelerDeps = context ? { ...deps, remainingTimeMs: () => context.getRemainingTimeInMillis() } : deps;
  return labelQueueBatch(
    {
      label: (object) => labelImage(timed, object),
      fail: (imageId, reason) => markImageFailed(timed, imageId, reason),
      logger,
      ...(timed.remainingTimeMs ? { remainingTimeMs: timed.remainingTimeMs } : {}),
    },
    event,
  );
};
