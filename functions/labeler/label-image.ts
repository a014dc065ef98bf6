/**
 * Labels one uploaded image: detect, store, publish. Safe to run twice for
 * the same object: only the run whose conditional update moves the image out
 * of PENDING publishes.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import { ImageStatus, toPublicImage, type Image } from '../../api/types.ts';
import { detect, UnlabelableImageError } from './detect.ts';
import { completeImage, getImage, writeLabelEntries, type ImageStoreArgs } from './image-store.ts';
import type { Publisher } from './publish.ts';
import type { UploadedObject } from './uploaded-object.ts';

export interface LabelerDeps {
  readonly store: ImageStoreArgs;
  readonly rekognition: RekognitionClient;
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export type LabelOutcome = 'labeled' | 'failed' | 'duplicate' | 'unknown-image';

const failed = (image: Image, reason: string, labeledAt: string): Image => ({
  ...toPublicImage(image),
  status: ImageStatus.FAILED,
  labeledAt,
  error: reason,
});

/** What the image becomes: LABELED with its labels, or FAILED with the reason. */
async function terminalImage(deps: LabelerDeps, image: Image, object: UploadedObject): Promise<Image> {
  const labeledAt = (deps.now?.() ?? new Date()).toISOString();
  if (object.sizeBytes !== image.sizeBytes) {
    return failed(image, `uploaded ${object.sizeBytes} bytes, declared ${image.sizeBytes}`, labeledAt);
  }
  try {
    const { labels, moderationLabels } = await detect(deps.rekognition, object.bucket, object.key);
    return { ...toPublicImage(image), status: ImageStatus.LABELED, labeledAt, labels, moderationLabels, error: null };
  } catch (error) {
    if (error instanceof UnlabelableImageError) return failed(image, error.message, labeledAt);
    throw error;
  }
}

export async function labelImage(deps: LabelerDeps, object: UploadedObject): Promise<LabelOutcome> {
  const image = await getImage(deps.store, object.imageId);
  if (!image) {
    deps.logger.warn('object has no image record', { key: object.key });
    return 'unknown-image';
  }
  if (image.status !== ImageStatus.PENDING) {
    deps.logger.info('image already terminal, duplicate event', { imageId: image.id, status: image.status });
    return 'duplicate';
  }
  const result = await terminalImage(deps, image, object);
  if (result.status === ImageStatus.LABELED) await writeLabelEntries(deps.store, result);
  const stored = await completeImage(deps.store, result);
  if (!stored) return 'duplicate';
  await deps.publisher.publish(stored);
  deps.logger.info('image labelled', { imageId: stored.id, status: stored.status, labels: stored.labels.length });
  return stored.status === ImageStatus.LABELED ? 'labeled' : 'failed';
}
