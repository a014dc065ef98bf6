/**
 * What follows an image's terminal write, for every function that may find
 * an image already ended (the labeler on a retry or duplicate event,
 * labeling-failed): the push, once (image-push.ts), then for a LABELED image
 * its search entries (written after the push, as an index on AWS is
 * eventually consistent too) and its catalog count. Each step is idempotent,
 * so a run that died half-way is finished by the next one.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ownerOfItem } from '../../api/owner.ts';
import { ImageStatus, toPublicImage } from '../../api/types.ts';
import { getImage, writeLabelEntries, type StoredImage } from '../labeler/image-store.ts';
import { countPendingLabels } from './catalog.ts';
import { pushIfUnpushed, type ImagePushDeps } from './image-push.ts';
import { deleteLabelEntries } from './label-entries.ts';

export interface EndedImageDeps extends ImagePushDeps {
  readonly logger: Logger;
}

/**
 * Writes a pushed LABELED image's search entries, then counts it in the
 * catalog. An image deleted meanwhile (the deleter may have run before the
 * entries landed) has its entries removed again.
 */
export async function indexEndedImage(deps: EndedImageDeps, image: StoredImage): Promise<void> {
  if (image.status !== ImageStatus.LABELED) return;
  await writeLabelEntries(deps.store, toPublicImage(image));
  if (!(await getImage(deps.store, image.id))) {
    const removed = await deleteLabelEntries(deps.store, image.id);
    deps.logger.info('image deleted while being indexed; entries removed', { imageId: image.id, removed });
    return;
  }
  const pending = image.catalogPending;
  if (pending && pending.size > 0) await countPendingLabels(deps.store, { imageId: image.id, owner: ownerOfItem(image) }, pending);
}

/** Finishes an image another run ended: pushes it if that run did not, then indexes it. */
export async function finishEndedImage(deps: EndedImageDeps, image: StoredImage): Promise<void> {
  const reread = () => getImage(deps.store, image.id);
  if ((await pushIfUnpushed(deps, image, reread)) === 'pushed') {
    deps.logger.info('pushed an image a previous run had ended', { imageId: image.id, status: image.status });
  }
  // Re-read: the push (or the run that made it) may have claimed catalog names since.
  await indexEndedImage(deps, (await reread()) ?? image);
}
