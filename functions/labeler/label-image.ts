/**
 * Labels one uploaded image: detect (or reuse the result for the same bytes),
 * store, publish, then count in the catalog. Safe to run twice for the same
 * object: only the run whose conditional update moves the image out of
 * PENDING publishes (it holds the push lease, functions/shared/image-push.ts),
 * a later run finishes a push its predecessor left undone, and each catalog
 * count is claimed once.
 *
 * The push is the latency users see, so only what a client needs when it
 * receives the event comes before it: the kept original and the thumbnail
 * (Image.url, Image.thumbnailUrl; made while the engine works, as is the
 * bytes' SHA-256 a fresh result is stored under), then, side by
 * side, the stored detection result (for the same bytes uploaded again) and
 * the terminal status. The search entries and then the catalog counts follow
 * the push (functions/shared/ended-image.ts), as an index does on AWS, and
 * the completion callback comes last, outside the push lease.
 *
 * One version of the bytes: uploads are write-once, and every read here is
 * pinned to the event's ETag (pinned-object.ts), so the labels, the
 * moderation verdict, the stored result, the kept original and the thumbnail
 * all come from the same bytes. A run whose event names an object that is no
 * longer there is stale: it ends without labelling ('stale'). An event for an
 * image that does not exist (deleted while its upload URL was still valid)
 * deletes what was uploaded for it.
 *
 * The bytes decide the type (image-type.ts): a JPEG declared image/png is
 * labelled and kept as image/jpeg; bytes that are no accepted image fail.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { S3Client } from '@aws-sdk/client-s3';
import { ownerOfItem } from '../../api/owner.ts';
import { ImageStatus, toPublicImage, type Image } from '../../api/types.ts';
import type { CallbackSender } from '../shared/callback-sender.ts';
import { finishEndedImage, pushAndFinishHeld } from '../shared/ended-image.ts';
import { deferUnlessTimeLeft, deferUnlessTimeToEnd } from '../shared/image-push.ts';
import { deleteKeptObjects, deleteObjects, imageObjectKeys } from '../shared/image-objects.ts';
import { detectByContent, sha256Once, startSha256After, storedDetection, type ContentToLabel } from './content-results.ts';
import { detect } from './detect.ts';
import { PushDeferredError, StaleUploadError, UnlabelableImageError } from '../shared/errors.ts';
import { rekognitionImageFor } from './rekognition-image.ts';
import { completeImage, getImage, type ImageStoreArgs } from '../shared/image-store.ts';
import { imageTypeOf, notAnImageReason } from './image-type.ts';
import { keepOriginal } from './original.ts';
import { confirmVersion } from './pinned-object.ts';
import type { Publisher } from '../shared/appsync-publisher.ts';
import type { ThumbnailWriter } from './thumbnail.ts';
import { detectionBoundMs, toDetectMs } from './time-budget.ts';
import { readUploadBytes } from './upload-bytes.ts';
import type { UploadedObject } from '../shared/uploaded-object.ts';

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
  /**
   * Also ask Rekognition for IMAGE_PROPERTIES and store them as Image.properties
   * (the stack's imageProperties setting, api/image-properties-setting.ts).
   * @default false
   */
  readonly imageProperties?: boolean;
  /** Sends completion callbacks, after the push and the search entries; none when omitted. */
  readonly callbacks?: CallbackSender;
  /**
   * Milliseconds left of the invocation: too little, and the image is not ended (it stays PENDING, PushDeferredError)
   * or, once ended, its push is left to the next run (image-push.ts). @default - no limit
   */
  readonly remainingTimeMs?: () => number;
  /**
   * The signal that bounds a detection to `ms` (time-budget.ts detectionBoundMs): injected by tests, which cannot
   * wait out a real bound. @default AbortSignal.timeout
   */
  readonly detectionDeadline?: (ms: number) => AbortSignal;
}

export type LabelOutcome = 'labeled' | 'failed' | 'duplicate' | 'unknown-image' | 'stale';

/** An accepted image type, as image-type.ts reads it from the bytes. */
type ImageType = NonNullable<ReturnType<typeof imageTypeOf>>;

const failed = (image: Image, reason: string, labeledAt: string): Image => ({
  ...toPublicImage(image),
  status: ImageStatus.FAILED,
  labeledAt,
  error: reason,
});

/** What the image becomes, and how to store a fresh detection result for the same bytes uploaded again. */
interface TerminalResult {
  readonly image: Image;
  readonly saveDetection?: (now: Date) => Promise<void>;
}

/**
 * Rekognition on the event's version. Bytes (a small upload's own, or a
 * resized copy) come from the pinned read and need no check. Rekognition
 * reads an S3 object itself and cannot be given an ETag, so once it has
 * answered, the object must still be that version (else StaleUploadError):
 * it then read those bytes.
 */
async function detectPinned(deps: LabelerDeps, object: UploadedObject, contentType: ImageType, content: ContentToLabel, media: Gate) {
  const rekognitionImage = await rekognitionImageFor(object, contentType, content.bytes);
  // Rekognition is paid per call: none without the time for a detection of at least detectionMs and the end of
  // the image after it (time-budget.ts), else the end would be deferred and the calls made again on the next receive.
  const leftMs = deferUnlessTimeLeft(deps, object.imageId, toDetectMs);
  // Bounded by what the invocation really has (no limit, no bound): a detection cut sooner would be paid for in vain.
  const boundMs = detectionBoundMs(leftMs);
  const detecting = detect(deps.rekognition, rekognitionImage, {
    imageProperties: deps.imageProperties ?? false,
    ...(Number.isFinite(boundMs) ? { signal: (deps.detectionDeadline ?? AbortSignal.timeout)(boundMs) } : {}),
  });
  // The requests are on their way once the SDK's middleware has run (this turn of the event loop): the media follow,
  // then the hash a fresh result is stored under, so that the detection's answer finds it made (content-results.ts).
  setImmediate(() => {
    media.open();
    startSha256After(media.opened, content.sha256);
  });
  const detection = await detecting;
  if (rekognitionImage.S3Object) await confirmVersion(deps.s3, object);
  return detection;
}

/**
 * Opens once; what waits on it starts then. The media wait on one until the
 * Rekognition requests are sent: the copy and the thumbnail then share the
 * cores and the local services with the engine's work, not with the
 * requests that start it (the latency users see).
 */
interface Gate {
  readonly opened: Promise<void>;
  readonly open: () => void;
}

function gate(): Gate {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = () => resolve()));
  return { opened, open };
}

/** What the image becomes: LABELED with its labels, or FAILED with the reason. */
async function labelledOrFailed(
  deps: LabelerDeps,
  image: Image,
  object: UploadedObject,
  content: ContentToLabel,
  actualType: Promise<ImageType | undefined>,
  media: Gate,
): Promise<TerminalResult> {
  const labeledAt = (deps.now?.() ?? new Date()).toISOString();
  if (object.sizeBytes !== image.sizeBytes) {
    return { image: failed(image, `uploaded ${object.sizeBytes} bytes, declared ${image.sizeBytes}`, labeledAt) };
  }
  const contentType = await actualType;
  if (!contentType) return { image: failed(image, notAnImageReason(image.contentType), labeledAt) };
  if (contentType !== image.contentType) {
    deps.logger.info('declared type differs from the bytes; labelled as the bytes', { imageId: image.id, declared: image.contentType, contentType });
  }
  const typed: Image = { ...image, contentType };
  try {
    const { labels, moderationLabels, properties, reused, save } = await detectByContent(
      { store: deps.store, detect: () => detectPinned(deps, object, contentType, content, media), wantsProperties: deps.imageProperties ?? false },
      content,
    );
    if (reused) deps.logger.info('same bytes labelled before, result reused', { imageId: image.id });
    return {
      image: { ...toPublicImage(typed), status: ImageStatus.LABELED, labeledAt, labels, moderationLabels, properties: properties ?? null, error: null },
      saveDetection: save,
    };
  } catch (error) {
    if (error instanceof UnlabelableImageError) return { image: failed(typed, error.message, labeledAt) };
    throw error;
  }
}

/** Before publishing, so Image.thumbnailUrl works once a client sees LABELED; a miss costs only the thumbnail. */
async function writeThumbnail(deps: LabelerDeps, object: UploadedObject, bytes: Promise<Uint8Array>): Promise<void> {
  if (!deps.thumbnails) return;
  try {
    await deps.thumbnails.write({ bucket: object.bucket, imageId: object.imageId, original: await bytes });
  } catch (error) {
    deps.logger.warn('thumbnail not written', { imageId: object.imageId, error: error as Error });
  }
}

/**
 * Copies the original to its kept key, with its real type, and writes the
 * thumbnail, together. Resolves with the copy's error, if any, rather than
 * rejecting: it runs beside detection and is only awaited once the outcome is
 * known. Bytes of no accepted type are not kept: the image fails.
 */
async function keepMedia(
  deps: LabelerDeps,
  object: UploadedObject,
  actualType: Promise<ImageType | undefined>,
  bytes: Promise<Uint8Array>,
  startWhen: Gate,
): Promise<Error | undefined> {
  await startWhen.opened;
  const copyOriginal = async () => {
    const contentType = await actualType;
    if (contentType) await keepOriginal(deps.s3, object, contentType);
  };
  const [copy] = await Promise.allSettled([copyOriginal(), writeThumbnail(deps, object, bytes)]);
  return copy.status === 'rejected' ? (copy.reason as Error) : undefined;
}

/**
 * An upload for an image that does not exist: deleted while its presigned URL
 * was still valid (S3 cannot revoke it, and the key is free again once
 * deleteImage removed its object). Nothing will label it, so what was
 * uploaded for it goes; on AWS as offline.
 */
async function discardOrphanUpload(deps: LabelerDeps, object: UploadedObject): Promise<void> {
  await deleteObjects(deps.s3, object.bucket, imageObjectKeys(object.imageId));
  deps.logger.warn('object has no image record; upload deleted', { key: object.key });
}

/** The image was deleted while a losing run kept its media: the kept objects must go too. */
async function discardMediaIfDeleted(deps: LabelerDeps, object: UploadedObject): Promise<void> {
  if (await getImage(deps.store, object.imageId)) return;
  await deleteKeptObjects(deps.s3, object.bucket, object.imageId);
  deps.logger.info('image deleted while labelling; kept objects discarded', { imageId: object.imageId });
}

/** Storing a fresh result only saves a later identical upload its detection: a failure is logged, not thrown. */
async function saveDetectionQuietly(deps: LabelerDeps, result: TerminalResult, now: Date): Promise<void> {
  try {
    await result.saveDetection?.(now);
  } catch (error) {
    deps.logger.warn('detection result not stored', { imageId: result.image.id, error: error as Error });
  }
}

/** Marks a promise started early as handled: whoever awaits it later still sees its rejection. */
function early<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export async function labelImage(deps: LabelerDeps, object: UploadedObject): Promise<LabelOutcome> {
  // The bytes (pinned to the event's ETag) decide what Rekognition is given (their type and dimensions,
  // rekognition-image.ts), so detection waits for them: they are read beside the image record. An event
  // whose image is gone or already ended costs that read in vain.
  const bytes = early(readUploadBytes(deps.s3, object));
  const image = await getImage(deps.store, object.imageId);
  if (!image) {
    await discardOrphanUpload(deps, object);
    return 'unknown-image';
  }
  if (image.status !== ImageStatus.PENDING) {
    await finishEndedImage(deps, image);
    deps.logger.info('image already terminal, duplicate event', { imageId: image.id, status: image.status });
    return 'duplicate';
  }
  // The bytes: their type, the thumbnail, Rekognition's copy when it cannot take the object, and the check of a
  // reused result; the lookup of a result this owner stored for the same ETag runs while they arrive.
  const content: ContentToLabel = {
    owner: ownerOfItem(image),
    eTag: object.eTag,
    bytes,
    sha256: sha256Once(bytes),
    stored: early(storedDetection(deps.store, ownerOfItem(image), object.eTag)),
  };
  const actualType = early(content.bytes.then(imageTypeOf));
  // A message whose detection could not start (too little time left) is deferred before it makes any media.
  deferUnlessTimeLeft(deps, image.id, toDetectMs);
  // The kept original and the thumbnail need no labels: made while the engine works, dropped if the image FAILS.
  const mediaGate = gate();
  const media = keepMedia(deps, object, actualType, content.bytes, mediaGate);
  let terminal: TerminalResult;
  try {
    // No detection (a reused result, a failure) or detection over: the media wait for nothing more. Not after a
    // deferral before the detection: the message is redone, and its media with it.
    terminal = await labelledOrFailed(deps, image, object, content, actualType, mediaGate).then(
      (result) => {
        mediaGate.open();
        return result;
      },
      (error: unknown) => {
        if (!(error instanceof PushDeferredError)) mediaGate.open();
        throw error;
      },
    );
    // Media first (usually done by now): a LABELED image always has its kept original and thumbnail.
    const mediaError = await media;
    if (terminal.image.status === ImageStatus.LABELED) {
      // Still PENDING, so the retry copies again; a fresh detection is stored first, so it reuses it rather than
      // paying Rekognition again (as at the deferral below).
      if (mediaError) {
        await saveDetectionQuietly(deps, terminal, deps.now?.() ?? new Date());
        throw mediaError;
      }
    } else {
      await deleteKeptObjects(deps.s3, object.bucket, object.imageId);
    }
  } catch (error) {
    if (!(error instanceof StaleUploadError)) throw error;
    // Its own writes are over before it returns; the current object's run writes after it.
    await media;
    deps.logger.warn('stale event: the upload is no longer the object it names; nothing labelled', { imageId: image.id, eTag: object.eTag });
    return 'stale';
  }
  const result = terminal.image;
  const now = deps.now?.() ?? new Date();
  // Too little of the invocation left to push after the terminal write: the image stays PENDING, the message is
  // redone; a fresh detection is stored first, so the redo reuses it rather than paying Rekognition again.
  try {
    deferUnlessTimeToEnd(deps, image.id);
  } catch (error) {
    await saveDetectionQuietly(deps, terminal, now);
    throw error;
  }
  // The result is stored before the push, so the same bytes uploaded once the push arrives reuse it.
  const [stored] = await Promise.all([completeImage(deps.store, result, now), saveDetectionQuietly(deps, terminal, now)]);
  if (!stored) {
    deps.logger.info('a concurrent delivery ended the image first, duplicate event', { imageId: image.id });
    if (result.status === ImageStatus.LABELED) await discardMediaIfDeleted(deps, object);
    return 'duplicate';
  }
  // The push, then its record beside the search entries and catalog count, then the completion callback,
  // which nothing before it waits for; a retry after a failure here redoes what is left (finishEndedImage).
  await pushAndFinishHeld(deps, stored);
  deps.logger.info('image labelled', { imageId: stored.id, status: stored.status, labels: stored.labels.length });
  return stored.status === ImageStatus.LABELED ? 'labeled' : 'failed';
}
