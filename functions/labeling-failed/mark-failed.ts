/**
 * Ends a PENDING image as FAILED with a reason and pushes it on
 * onImageLabeled. The conditional update in completeImage decides, so a
 * concurrent labeler run or a second failure record never pushes twice.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ImageStatus, toPublicImage } from '../../api/types.ts';
import { completeImage, getImage, type ImageStoreArgs } from '../labeler/image-store.ts';
import type { Publisher } from '../labeler/publish.ts';

export interface MarkFailedDeps {
  readonly store: ImageStoreArgs;
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** What happened: the image was failed by this call, had already ended, or does not exist. */
export type MarkFailedOutcome = 'failed' | 'already-terminal' | 'unknown-image';

export async function markImageFailed(deps: MarkFailedDeps, imageId: string, reason: string): Promise<MarkFailedOutcome> {
  const image = await getImage(deps.store, imageId);
  if (!image) return 'unknown-image';
  if (image.status !== ImageStatus.PENDING) return 'already-terminal';
  const stored = await completeImage(deps.store, {
    ...toPublicImage(image),
    status: ImageStatus.FAILED,
    labeledAt: (deps.now?.() ?? new Date()).toISOString(),
    error: reason,
  });
  if (!stored) return 'already-terminal';
  await deps.publisher.publish(stored);
  deps.logger.info('image failed', { imageId, reason });
  return 'failed';
}
