/**
 * What follows an image's terminal write, for every function that ends
 * images or may find one already ended (the labeler, also on a retry or
 * duplicate event; labeling-failed; the reconciler): the push, once
 * (image-push.ts), then for a LABELED image its search entries (written after
 * the push, as an index on AWS is eventually consistent too, and beside the
 * record of the push) and its catalog count, and last its completion callback
 * (callback.ts), which nothing waits for. Each step is idempotent or claimed once, so a run that died half-way
 * is finished by the next one.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { ownerOfItem } from '../../api/owner.ts';
import { ImageStatus, toPublicImage } from '../../api/types.ts';
import { getImage, writeLabelEntries, type StoredImage } from './image-store.ts';
import type { CallbackSender } from './callback-sender.ts';
import { sendCompletionCallback } from './callback.ts';
import { countPendingLabels, type CountOptions } from './catalog.ts';
import { pushHeld, pushIfUnpushed, type ImagePushDeps, type PushOutcome } from './image-push.ts';
import { deleteLabelEntries } from './label-entries.ts';

export interface EndedImageDeps extends ImagePushDeps {
  readonly logger: Logger;
  /** Sends completion callbacks; none when omitted. */
  readonly callbacks?: CallbackSender;
}

/** How indexEndedImage runs: beside the record of the push, and how its catalog claims leave the byStatus key. */
export interface IndexOptions extends CountOptions {
  /** The record of the push when the index runs beside it (pushAndFinishHeld): the catalog claim waits for it. */
  readonly recorded?: Promise<void>;
}

/**
 * Writes a pushed LABELED image's search entries, then counts it in the
 * catalog, whose last claim takes the image off the reconciler's byStatus
 * index (catalog.ts): until then a reconciler run finishes what a failure
 * here left. The claim waits for `options.recorded`, so an image never leaves
 * byStatus without `pushedAt`, unless `options.keepsStatusKey` leaves the key to the caller
 * (a given-up push, catalog.ts CountOptions). An image deleted meanwhile (the
 * deleter may have run before the entries landed) has its entries removed again.
 */
export async function indexEndedImage(deps: EndedImageDeps, image: StoredImage, options: IndexOptions = {}): Promise<void> {
  const { recorded, ...countOptions } = options;
  if (image.status !== ImageStatus.LABELED) return;
  await writeLabelEntries(deps.store, toPublicImage(image));
  if (!(await getImage(deps.store, image.id))) {
    const removed = await deleteLabelEntries(deps.store, toPublicImage(image));
    deps.logger.info('image deleted while being indexed; entries removed', { imageId: image.id, removed });
    return;
  }
  const pending = image.catalogPending;
  if (!pending || pending.size === 0) return;
  await recorded;
  await countPendingLabels(deps.store, { imageId: image.id, owner: ownerOfItem(image) }, pending, countOptions);
}

/**
 * What the run that pushed an image does next: its search entries and
 * catalog count, then its completion callback. The callback comes last, so
 * the push, `pushedAt` and the entries never wait for a receiver; it never
 * throws, so it never fails the run.
 */
export async function finishPushedImage(deps: EndedImageDeps, image: StoredImage): Promise<void> {
  await indexEndedImage(deps, image);
  await sendCompletionCallback(deps, image);
}

/**
 * What the run that won an image's terminal write does (it holds the push
 * lease): publishes it; then records the push and, side by side, writes its
 * search entries and catalog count, which need only the publish before them;
 * then its completion callback, which needs both. A failure of either fails
 * the run once both have settled; the next run redoes what is left
 * (finishEndedImage). A run so slow that its lease lapsed and another run
 * took it over does none of it: that run pushes, indexes and calls back.
 */
export async function pushAndFinishHeld(deps: EndedImageDeps, image: StoredImage): Promise<void> {
  if ((await pushHeld(deps, image, (recorded) => indexEndedImage(deps, image, { recorded }))) === 'taken-over') {
    deps.logger.warn('push lease lapsed and taken over by another run; it pushes the image', { imageId: image.id });
    return;
  }
  await sendCompletionCallback(deps, image);
}

/**
 * Finishes an image another run ended: pushes it if that run did not, then indexes it and sends its callback if
 * nobody has. Says whether this call made the push.
 */
export async function finishEndedImage(deps: EndedImageDeps, image: StoredImage): Promise<PushOutcome> {
  const reread = () => getImage(deps.store, image.id);
  const outcome = await pushIfUnpushed(deps, image, reread);
  if (outcome === 'pushed') {
    deps.logger.info('pushed an image a previous run had ended', { imageId: image.id, status: image.status });
  }
  // Re-read: the push (or the run that made it) may have claimed catalog names since.
  await finishPushedImage(deps, (await reread()) ?? image);
  return outcome;
}
