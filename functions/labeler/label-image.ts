/**
 * Labels one uploaded image: detect (or reuse the result for the same bytes),
 * store, count in the catalog, publish. Safe to run twice for the same
 * object: only the run whose conditional update moves the image out of
 * PENDING publishes, and each catalog count is claimed once.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { S3Client } from '@aws-sdk/client-s3';
import { ownerOfItem } from '../../api/owner.ts';
import { ImageStatus, toPublicImage, type Image } from '../../api/types.ts';
import { countPendingLabels } from '../shared/catalog.ts';
import { deleteKeptObjects } from '../shared/image-objects.ts';
import { deleteLabelEntries } from '../shared/label-entries.ts';
import { detectByContent } from './content-results.ts';
import { detect, UnlabelableImageError } from './detect.ts';
import { rekognitionImageFor } from './rekognition-image.ts';
import { completeImage, getImage, writeLabelEntries, type ImageStoreArgs, type StoredImage } from './image-store.ts';
import { keepOriginal } from './original.ts';
import type { Publisher } from './publish.ts';
import type { ThumbnailWriter } from './thumbnail.ts';
import type { UploadedObject } from './uploaded-object.ts';

export interface LabelerDeps {
  readonly store: ImageStoreArgs;
  readonly rekognition: RekognitionClient;
  /** Reads the uploaded bytes to hash them (same content, same labels, one detection) and keeps labelled originals. */
  readonly s3: S3Client;
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Writes the gallery thumbnail of a labelled image; none when omitted. */
  readonly thumbnails?: ThumbnailWriter;
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
    const { labels, moderationLabels, reused } = await detectByContent(
      { store: deps.store, s3: deps.s3, detect: async () => detect(deps.rekognition, await rekognitionImageFor(deps.s3, object, image.contentType)), now: new Date(labeledAt) },
      object,
    );
    if (reused) deps.logger.info('same bytes labelled before, result reused', { imageId: image.id });
    return { ...toPublicImage(image), status: ImageStatus.LABELED, labeledAt, labels, moderationLabels, error: null };
  } catch (error) {
    if (error instanceof UnlabelableImageError) return failed(image, error.message, labeledAt);
    throw error;
  }
}

/** Before publishing, so Image.thumbnailUrl works once a client sees LABELED; a miss costs only the thumbnail. */
async function writeThumbnail(deps: LabelerDeps, object: UploadedObject): Promise<void> {
  if (!deps.thumbnails) return;
  try {
    await deps.thumbnails.write({ bucket: object.bucket, key: object.key, imageId: object.imageId });
  } catch (error) {
    deps.logger.warn('thumbnail not written', { imageId: object.imageId, error: error as Error });
  }
}

/**
 * Copies the original to its kept key and writes the thumbnail, together.
 * Resolves with the copy's error, if any, rather than rejecting: it runs
 * beside detection and is only awaited once the outcome is known.
 */
async function keepMedia(deps: LabelerDeps, object: UploadedObject, contentType: string): Promise<Error | undefined> {
  const [copy] = await Promise.allSettled([keepOriginal(deps.s3, object, contentType), writeThumbnail(deps, object)]);
  return copy.status === 'rejected' ? (copy.reason as Error) : undefined;
}

/** Counts the image under its indexed names not yet claimed; resumes a run that stopped half-way. */
async function countInCatalog(deps: LabelerDeps, image: StoredImage): Promise<void> {
  const pending = image.catalogPending;
  if (image.status !== ImageStatus.LABELED || !pending || pending.size === 0) return;
  await countPendingLabels(deps.store, { imageId: image.id, owner: ownerOfItem(image) }, pending);
}

/** The image was deleted while being labelled: its entries and kept objects, written before the update, must go too. */
async function discardIfDeleted(deps: LabelerDeps, object: UploadedObject): Promise<void> {
  const imageId = object.imageId;
  if (await getImage(deps.store, imageId)) return;
  const removed = await deleteLabelEntries(deps.store, imageId);
  await deleteKeptObjects(deps.s3, object.bucket, imageId);
  deps.logger.info('image deleted while labelling; entries discarded', { imageId, removed });
}

export async function labelImage(deps: LabelerDeps, object: UploadedObject): Promise<LabelOutcome> {
  const image = await getImage(deps.store, object.imageId);
  if (!image) {
    deps.logger.warn('object has no image record', { key: object.key });
    return 'unknown-image';
  }
  if (image.status !== ImageStatus.PENDING) {
    deps.logger.info('image already terminal, duplicate event', { imageId: image.id, status: image.status });
    await countInCatalog(deps, image);
    return 'duplicate';
  }
  // The kept original and the thumbnail need no labels: made while the engine works, dropped if the image FAILS.
  const media = keepMedia(deps, object, image.contentType);
  const result = await terminalImage(deps, image, object);
  if (result.status === ImageStatus.LABELED) {
    // Before completeImage: a failed copy throws while the image is still PENDING, so the retry copies again.
    const [mediaError] = await Promise.all([media, writeLabelEntries(deps.store, result)]);
    if (mediaError) throw mediaError;
  } else {
    await media;
    await deleteKeptObjects(deps.s3, object.bucket, object.imageId);
  }
  const stored = await completeImage(deps.store, result);
  if (!stored) {
    deps.logger.info('a concurrent delivery ended the image first, duplicate event', { imageId: image.id });
    if (result.status === ImageStatus.LABELED) await discardIfDeleted(deps, object);
    return 'duplicate';
  }
  // Counted before the push, so a client that sees the event finds the catalog up to date.
  await countInCatalog(deps, stored);
  await deps.publisher.publish(stored);
  deps.logger.info('image labelled', { imageId: stored.id, status: stored.status, labels: stored.labels.length });
  return stored.status === ImageStatus.LABELED ? 'labeled' : 'failed';
}
