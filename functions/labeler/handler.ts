/** Labeler Lambda: triggered by s3:ObjectCreated on the uploads prefix. */
import { Logger } from '@aws-lambda-powertools/logger';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { ImagePropertiesSetting, imagePropertiesSettingFrom } from '../../api/image-properties-setting.ts';
import { requireEnv } from '../shared/env.ts';
import { completionCallbacksFromEnv, tableStoreFromEnv, terminalImagePublisherFromEnv } from '../shared/from-env.ts';
import { labelImage, type LabelerDeps, type LabelOutcome } from './label-image.ts';
import { s3ThumbnailWriter } from './thumbnail.ts';
import { uploadedObjectFrom } from '../shared/uploaded-object.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();

// Each image is decoded once: libvips' operation cache (up to 50 MB by default) would only hold memory.
sharp.cache(false);
// One libvips thread per image: a 320 px thumbnail gains little from more, and each extra thread
// grows its own malloc arena (RSS that creeps up image after image).
sharp.concurrency(1);

/**
 * Throttling and 5xx answers are retried in the client first: exponential
 * backoff with full jitter, and 'adaptive' also slows the client down when
 * Rekognition throttles (TPS limits are per account). What still fails is
 * thrown, so Lambda retries the event and then hands it to labeling-failed.
 */
export const rekognitionRetry = { maxAttempts: 6, retryMode: 'adaptive' } as const;
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

export const handler = async (event: S3Event): Promise<LabelOutcome[]> => {
  const outcomes: LabelOutcome[] = [];
  for (const record of event.Records) {
    const object = uploadedObjectFrom(record);
    if (!object) {
      logger.warn('ignoring object outside the uploads prefix', { key: record.s3.object.key });
      continue;
    }
    outcomes.push(await labelImage(deps, object));
  }
  return outcomes;
};
