/**
 * Ends a PENDING image as FAILED with a reason, pushes it on onImageLabeled,
 * then sends its completion callback. The conditional update in completeImage
 * decides, so a concurrent labeler run or a second failure record never
 * pushes twice. An
 * image a labeler run ended but never finished (it kept failing after its
 * terminal write) is pushed and indexed as it was ended. With too little of
 * the invocation left to push (`remainingTimeMs`), it throws PushDeferredError
 * before its terminal write, and the image stays PENDING.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ImageStatus, toPublicImage } from '../../api/types.ts';
import { completeImage, getImage, type ImageStoreArgs } from './image-store.ts';
import type { CallbackSender } from './callback-sender.ts';
import { finishEndedImage, pushAndFinishHeld } from './ended-image.ts';
import { deferUnlessTimeToEnd } from './image-push.ts';
import type { Publisher } from './appsync-publisher.ts';

export interface MarkFailedDeps {
  readonly store: ImageStoreArgs;
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Sends completion callbacks, after the push; none when omitted. */
  readonly callbacks?: CallbackSender;
  /**
   * Milliseconds left of the invocation: too little, and the image is not failed (PushDeferredError; it stays
   * PENDING), nor is an ended one's push waited for (image-push.ts). @default - no limit
   */
  readonly remainingTimeMs?: () => number;
}

/** What happened: the image was failed by this call, had already ended, or does not exist. */
export type MarkFailedOutcome = 'failed' | 'already-terminal' | 'unknown-image';

export async function markImageFailed(deps: MarkFailedDeps, imageId: string, reason: string): Promise<MarkFailedOutcome> {
  const image = await getImage(deps.store, imageId);
  if (!image) return 'unknown-image';
  if (image.status !== ImageStatus.PENDING) {
    // Its labeler ended it, then kept failing: push and index it as it was ended.
    await finishEndedImage(deps, image);
    return 'already-terminal';
  }
  // Not ended by a run with no time left to push it: it stays PENDING for the caller's next attempt.
  deferUnlessTimeToEnd(deps, imageId);
  const now = deps.now?.() ?? new Date();
  const stored = await completeImage(deps.store, { ...toPublicImage(image), status: ImageStatus.FAILED, labeledAt: now.toISOString(), error: reason }, now);
  if (!stored) return 'already-terminal';
  // The push, pushedAt, then the callback (which never throws); a FAILED image has no search entries.
  await pushAndFinishHeld(deps, stored);
  deps.logger.info('image failed', { imageId, reason });
  return 'failed';
}
