/**
 * The errors the Lambda functions define, with one base class, and the one
 * rule that decides what happens to a failure (errorDisposition):
 *
 * | failure                                   | disposition | what the labeler does                                   |
 * | ----------------------------------------- | ----------- | ------------------------------------------------------- |
 * | throttling (isThrottling), any service    | throttled   | back to the queue; waited out, never FAILED             |
 * | PushDeferredError (too little time left)  | transient   | back to the queue, never FAILED for it (queue-batch.ts) |
 * | a LabelcastError with retryable = false   | permanent   | no retry: the image ends FAILED with its message        |
 * | a LabelcastError with retryable = true    | transient   | back to the queue, up to errorAttempts receives         |
 * | anything else (SDK, network, a bug)       | transient   | back to the queue, up to errorAttempts receives         |
 *
 * | error                  | retryable | when                                                                 |
 * | ---------------------- | --------- | -------------------------------------------------------------------- |
 * | UnlabelableImageError  | no        | the bytes can never be labelled (format, size, dimensions, Rekognition's own refusals) |
 * | StaleUploadError       | no        | the event names an upload version that is gone: nothing to label     |
 * | PublishError           | yes       | the IAM-signed publishImageLabeled mutation failed                   |
 * | PushDeferredError      | yes       | too little of the invocation left to end or push an image (image-push.ts); costs the push one visibility timeout (6 min on AWS) |
 * | UnprocessedWritesError | yes (throttling) | BatchWriteItem left items unprocessed through every attempt (table-store.ts) |
 * | DetectionDeadlineError | yes (throttling) | Rekognition's answers outlasted the detection's bound (functions/labeler/time-budget.ts) |
 * | CallbackError family   | per error | completion callbacks (callback-errors.ts); never leave their sender   |
 */
import type { UploadedObject } from './uploaded-object.ts';

/** Base class of every error the functions define. */
export abstract class LabelcastError extends Error {
  /** Whether doing the same work again may succeed. */
  public abstract readonly retryable: boolean;

  protected constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/** The image's bytes can never be labelled; the message is the reason its image ends FAILED with. */
export class UnlabelableImageError extends LabelcastError {
  public readonly retryable = false;

  public constructor(message: string, options?: ErrorOptions) {
    super('UnlabelableImageError', message, options);
  }
}

/** The upload is no longer the object the event names (functions/labeler/pinned-object.ts). */
export class StaleUploadError extends LabelcastError {
  public readonly retryable = false;

  public constructor(object: UploadedObject, options?: ErrorOptions) {
    super('StaleUploadError', `the object under ${object.key} is no longer the one of ETag ${object.eTag ?? '(none)'}`, options);
  }
}

/** The publishImageLabeled mutation failed (HTTP or GraphQL errors); the push is tried again. */
export class PublishError extends LabelcastError {
  public readonly retryable = true;

  public constructor(message: string, options?: ErrorOptions) {
    super('PublishError', message, options);
  }
}

/**
 * A run holding an image's push lease had too little of its invocation left
 * to publish and record the push (functions/shared/image-push.ts): it
 * publishes nothing, as a run killed by its timeout between the two would be
 * pushed again by the next run. Thrown before the terminal write too
 * (deferUnlessTimeToEnd), leaving the image PENDING. The message comes back
 * (queue-batch.ts handles it apart: whatever the receive count, it never
 * ends the image FAILED); its next run, one visibility timeout later, labels the image or
 * finds it ended and pushes it once the lease lapses. Meanwhile getImage may
 * already show the image ended.
 */
export class PushDeferredError extends LabelcastError {
  public readonly retryable = true;

  public constructor(imageId: string, remainingMs: number, options?: ErrorOptions) {
    super('PushDeferredError', `${remainingMs} ms of the invocation left: too little to push image ${imageId}`, options);
  }
}

/**
 * BatchWriteItem still left items unprocessed after every attempt
 * (functions/shared/table-store.ts). DynamoDB leaves items unprocessed when
 * the table or a partition is over its throughput, so this is throttling:
 * marked as the SDK marks throttling (`$retryable.throttling`), it is waited
 * out through the queue and never ends an image FAILED. The work is
 * idempotent puts and deletes, redone whole on the next attempt.
 */
export class UnprocessedWritesError extends LabelcastError {
  public readonly retryable = true;
  /** The AWS SDK's own throttling mark, read by isThrottling. */
  public readonly $retryable = { throttling: true } as const;

  public constructor(
    public readonly unprocessed: number,
    attempts: number,
    options?: ErrorOptions,
  ) {
    super('UnprocessedWritesError', `${unprocessed} batch writes still unprocessed after ${attempts} attempts (DynamoDB throttling)`, options);
  }
}

/**
 * The detection (DetectLabels and DetectModerationLabels with the SDK's
 * retries) outlasted its bound and was cut (functions/labeler/detect.ts):
 * what keeps Rekognition's answers that long is the SDK waiting out
 * throttling (backoff, its adaptive rate), or a call that hangs. Marked as
 * throttling, it goes back to the queue and is waited out, never ending an
 * image FAILED; a message cut on every receive reaches the dead-letter queue.
 */
export class DetectionDeadlineError extends LabelcastError {
  public readonly retryable = true;
  /** The AWS SDK's own throttling mark, read by isThrottling. */
  public readonly $retryable = { throttling: true } as const;

  public constructor(options?: ErrorOptions) {
    super('DetectionDeadlineError', 'Rekognition did not answer within the detection\'s bound; the detection was cut', options);
  }
}

/** Error names AWS services throttle with (Rekognition, DynamoDB, S3, STS). */
const throttlingErrorNames = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'Throttling',
]);

/** Throttling by name, or as the SDK classifies it (`$retryable.throttling`). */
export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $retryable } = error as { name?: unknown; $retryable?: { throttling?: unknown } };
  return (typeof name === 'string' && throttlingErrorNames.has(name)) || $retryable?.throttling === true;
}

export type ErrorDisposition = 'throttled' | 'permanent' | 'transient';

/** What a failure means for the work that raised it (the table above). */
export function errorDisposition(error: unknown): ErrorDisposition {
  if (isThrottling(error)) return 'throttled';
  if (error instanceof LabelcastError && !error.retryable) return 'permanent';
  return 'transient';
}
