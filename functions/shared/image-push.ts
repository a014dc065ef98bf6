/**
 * Pushes each terminal image once on onImageLabeled, even when the run that
 * ended it dies before publishing. The completion callback is not part of
 * the push: it follows `pushedAt` and the search entries, outside the lease
 * (functions/shared/callback.ts), so a slow receiver can neither hold the
 * lease past its end nor make a later run push again.
 *
 * The run whose conditional PENDING→terminal update wins also takes a push
 * lease on the image item (completeImage writes `pushLeaseUntil`). It
 * publishes, then records `pushedAt` (beside its search entries, which also
 * wait only for the publish). Any later run for a terminal image
 * without `pushedAt` (a Lambda retry, a duplicate S3 event, the on-failure
 * handler) waits out the lease, takes it over with a conditional update, and
 * publishes: a holder that crashed is replaced, a live one is never doubled.
 * An image ended before leases existed has neither attribute and counts as pushed.
 *
 * A holder publishes only while its lease is its own and outlasts the
 * publish: with less than `publishMarginMs` of it left (a slow holder:
 * throttled writes, a starved CPU), it first renews it with a conditional
 * update on the exact value it holds. A renewal that fails means another run
 * took the lapsed lease over (and pushes): the slow holder publishes nothing.
 * A holder is never taken over while it publishes, as its publish is bounded
 * (appsync-publisher.ts) well inside the margin:
 *
 *   holder:  complete (lease L) ──── slow ────┐ L - now < margin: renew L→L' ✗ (taken over) ─▶ no publish
 *   later:                       L lapses ─▶ take over (L→L2) ─▶ publish ─▶ pushedAt
 *
 * Nor does a run start a publish with less than that margin left of its
 * invocation (`remainingTimeMs`): Lambda would kill it at its timeout between
 * the publish and its record. It throws PushDeferredError instead, and the
 * next run pushes once the lease lapses. A run checks that time before it
 * ends an image too (deferUnlessTimeToEnd, `endMarginMs`), so a short one
 * leaves the image PENDING and its message is simply redone; and a later run
 * neither waits out nor takes over a lease it would have no time to push
 * under (pushIfUnpushed), so it never holds up another run for nothing.
 * A deferral is no failure: the labeler puts its message back to the queue
 * without counting it (queue-batch.ts); the push comes one visibility timeout
 * later, while getImage may already show the terminal status.
 *
 * Nothing is left unpushed (or, pushed, unindexed) for good: the image keeps
 * its key in the reconciler's byStatus index (api/table.ts) from
 * requestUpload until it is finished: the record of `pushedAt` removes it,
 * but for a LABELED image with catalog names, whose last catalog claim does
 * (catalog.ts; the same writes, so no extra write unit). A push, or an index
 * step after it, that fails with no run left to retry it (the reconciler's
 * own work, which no queue message follows) is finished by a later reconciler
 * run, once the lease has lapsed (functions/reconciler/reconcile.ts). Each
 * lapsed lease taken over counts an attempt (`pushAttempts`); the reconciler
 * gives up a push after maxPushAttempts of them, for an image ended over a day
 * before (it writes a LABELED one's entries and count first).
 *
 * One window is left: a holder that dies otherwise (a crash) after publishing
 * and before recording `pushedAt`, or that takes longer than the lease to
 * record it, is pushed again by the next run.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { imageKey, ImagesTableLayout } from '../../api/table.ts';
import { ImageStatus, type Image } from '../../api/types.ts';
import { allSettledOrThrow } from './all-settled.ts';
import { CatalogAttributes } from './catalog.ts';
import { PushDeferredError } from './errors.ts';
import type { Publisher } from './appsync-publisher.ts';
import type { TableStore } from './table-store.ts';

/** Attributes of the image item that track its push. */
export const PushAttributes = {
  /** Epoch milliseconds until which the holder may still be publishing. */
  leaseUntil: 'pushLeaseUntil',
  /** ISO time the push was published; absent until then. */
  pushedAt: 'pushedAt',
  /** Lapsed leases taken over so far (each a later run's attempt to push); absent until the first. */
  attempts: 'pushAttempts',
} as const;

export const PushSettings = {
  /**
   * Longer than a holder needs from its terminal write to the end of its
   * publish: a store write, the AppSync call (5 s timeout) and the write of
   * `pushedAt` (no completion callback: it comes after). A run that finds the
   * lease held waits at most this long, inside every pushing function's timeout.
   */
  leaseMs: 30_000,
  /**
   * A holder starts its publish only with at least this much of its lease
   * left, else it renews the lease first, and only with this much of its
   * invocation left: more than the publish and its record can take (the
   * publish's 5 s timeout, appsync-publisher.ts) plus clock skew between runs.
   */
  publishMarginMs: 10_000,
  /**
   * A run writes an image's terminal status only with at least this much of
   * its invocation left: the conditional write and the publishMarginMs its push needs.
   */
  endMarginMs: 15_000,
  /** How often a waiting run looks again whether the holder has pushed. */
  recheckMs: 250,
} as const;

/** The push bookkeeping of a stored image item. */
export interface PushState {
  readonly [PushAttributes.leaseUntil]?: number;
  readonly [PushAttributes.pushedAt]?: string;
  readonly [PushAttributes.attempts]?: number;
}

export interface ImagePushDeps {
  readonly store: TableStore;
  readonly publisher: Publisher;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Milliseconds left of the invocation (Lambda's context.getRemainingTimeInMillis): a holder with less than
   * `publishMarginMs` left does not publish (PushDeferredError). @default - no time limit
   */
  readonly remainingTimeMs?: () => number;
}

export type PushOutcome = 'pushed' | 'already-pushed';

/** What a holder's push came to: 'taken-over' when its lease lapsed and another run took it (that run pushes). */
export type HeldPushOutcome = 'pushed' | 'taken-over';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The lease the winning terminal update writes: its expression parts, merged into completeImage's update. */
export function leaseOnCompletion(now: Date): { readonly names: Record<string, string>; readonly values: Record<string, number>; readonly set: string } {
  return {
    set: '#pushLeaseUntil = :pushLeaseUntil',
    names: { '#pushLeaseUntil': PushAttributes.leaseUntil },
    values: { ':pushLeaseUntil': now.getTime() + PushSettings.leaseMs },
  };
}

/**
 * Throws PushDeferredError unless the invocation has `neededMs` left: a run
 * that would be killed before its push ends starts none of it (nor, in the
 * labeler, a detection it would have no time to end the image after).
 * Returns the milliseconds left (infinite without a limit), for a caller that bounds its work by them.
 */
export function deferUnlessTimeLeft(deps: Pick<ImagePushDeps, 'remainingTimeMs'>, imageId: string, neededMs: number): number {
  const remainingMs = deps.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
  if (remainingMs < neededMs) throw new PushDeferredError(imageId, remainingMs);
  return remainingMs;
}

/**
 * Called before a run's terminal write (the labeler, markImageFailed): with
 * less than `endMarginMs` of its invocation left it throws PushDeferredError,
 * so the image stays PENDING and the work is redone, rather than ended by a
 * run with no time left to push it.
 */
export function deferUnlessTimeToEnd(deps: Pick<ImagePushDeps, 'remainingTimeMs'>, imageId: string): void {
  deferUnlessTimeLeft(deps, imageId, PushSettings.endMarginMs);
}

/**
 * Whether an image has nothing left to do once its push is recorded: not a
 * LABELED image with catalog names still to count, whose index steps follow
 * (ended-image.ts indexEndedImage; its last catalog claim takes it off byStatus).
 * Also the reconciler's test of a pushed (or pre-lease) image (functions/reconciler/ended-images.ts endedImageAction).
 */
export const doneOncePushed = (image: Image & { readonly [CatalogAttributes.pending]?: ReadonlySet<string> }): boolean =>
  image.status !== ImageStatus.LABELED || (image[CatalogAttributes.pending]?.size ?? 0) === 0;

async function recordPushed(deps: ImagePushDeps, image: Image): Promise<void> {
  // REMOVE #recovery: pushed with nothing left to do, the image leaves the sparse byStatus index (api/table.ts).
  // One with catalog names left keeps its key until the claim of the last ones (catalog.ts), so a reconciler
  // run still finds it if its search entries or count fail after the push.
  const leaves = doneOncePushed(image);
  await deps.store.documentClient.send(
    new UpdateCommand({
      TableName: deps.store.tableName,
      Key: imageKey(image.id),
      UpdateExpression: `SET #pushedAt = :pushedAt REMOVE #leaseUntil${leaves ? ', #recovery' : ''}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: {
        '#pushedAt': PushAttributes.pushedAt,
        '#leaseUntil': PushAttributes.leaseUntil,
        ...(leaves ? { '#recovery': ImagesTableLayout.byStatusIndex.partitionKey } : {}),
      },
      ExpressionAttributeValues: { ':pushedAt': (deps.now?.() ?? new Date()).toISOString() },
    }),
  ).catch((error: unknown) => {
    // Deleted since: nothing left to record on.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
}

/**
 * Publishes an image whose lease this run holds (it won the terminal update, or took the lease over; `image`
 * carries the lease's end as this run wrote it), then records the push; publishes nothing when the lease lapsed
 * and another run took it over ('taken-over').
 * `alongside` (the search entries and catalog count, ended-image.ts pushAndFinishHeld) runs beside that
 * record, as both need only the publish before them; it is given the record, for what must follow it (the
 * catalog claim that takes the image off byStatus). The run fails, once both have settled, with the first error,
 * which carries the other if both failed (all-settled.ts, for the log).
 */
export async function pushHeld(
  deps: ImagePushDeps,
  image: Image & PushState,
  alongside?: (recorded: Promise<void>) => Promise<void>,
): Promise<HeldPushOutcome> {
  // Lambda kills a run at its timeout: one killed after publishing and before recording would be pushed again.
  deferUnlessTimeLeft(deps, image.id, PushSettings.publishMarginMs);
  if (!(await leaseStillHeld(deps, image))) return 'taken-over';
  await deps.publisher.publish(image);
  const recorded = recordPushed(deps, image);
  await allSettledOrThrow([recorded, alongside?.(recorded)]);
  return 'pushed';
}

/**
 * Whether this run may publish: its lease has `publishMarginMs` left, or it
 * renews it (conditional on the value it holds, so a run that took it over
 * in the meantime wins). False when the lease is no longer this run's.
 */
async function leaseStillHeld(deps: ImagePushDeps, image: Image & PushState): Promise<boolean> {
  const held = image[PushAttributes.leaseUntil];
  const now = (deps.now?.() ?? new Date()).getTime();
  if (held !== undefined && held - now >= PushSettings.publishMarginMs) return true;
  const renewed = await setLeaseIf(deps, image.id, now, {
    // attribute_exists(pk): an image deleted meanwhile is not created again by the renewal.
    condition: `attribute_exists(pk) AND attribute_not_exists(#pushedAt) AND ${held === undefined ? 'attribute_not_exists(#leaseUntil)' : '#leaseUntil = :held'}`,
    names: { '#pushedAt': PushAttributes.pushedAt },
    values: held === undefined ? {} : { ':held': held },
  });
  return renewed !== undefined;
}

/**
 * Takes the lease when it has lapsed and nobody has pushed: the lease's new end, or undefined when someone else
 * holds or finished it. Counts the attempt (`pushAttempts`, in the same write), so the reconciler can give up on
 * a push that always fails (functions/reconciler/ended-images.ts).
 */
function takeOverLease(deps: ImagePushDeps, imageId: string, now: Date): Promise<number | undefined> {
  return setLeaseIf(deps, imageId, now.getTime(), {
    condition: 'attribute_not_exists(#pushedAt) AND #status <> :pending AND #leaseUntil < :now',
    names: { '#pushedAt': PushAttributes.pushedAt, '#status': 'status', '#attempts': PushAttributes.attempts },
    values: { ':now': now.getTime(), ':pending': ImageStatus.PENDING, ':one': 1 },
    add: ' ADD #attempts :one',
  });
}

/**
 * Takes the lease of an image whose push the reconciler gives up (functions/reconciler/ended-images.ts giveUpPush),
 * on condition it is still given up: its byStatus key there, unpushed, `maxAttempts` attempts spent, the lease
 * lapsed. No attempt is counted. The lease's new end, or undefined when the condition failed (another run gives it
 * up or pushes it).
 */
export function takeGiveUpLease(deps: ImagePushDeps, imageId: string, nowMs: number, maxAttempts: number): Promise<number | undefined> {
  return setLeaseIf(deps, imageId, nowMs, {
    condition: 'attribute_exists(#recovery) AND attribute_not_exists(#pushedAt) AND #attempts >= :maxAttempts AND #leaseUntil < :nowMs',
    names: { '#recovery': ImagesTableLayout.byStatusIndex.partitionKey, '#pushedAt': PushAttributes.pushedAt, '#attempts': PushAttributes.attempts },
    values: { ':maxAttempts': maxAttempts, ':nowMs': nowMs },
  });
}

/**
 * Sets the image's lease to end `leaseMs` after `now` when `condition` holds (its names and values besides
 * #leaseUntil and :until; `add`, an ADD clause of the same update): the lease's new end, or undefined when the
 * condition failed.
 */
async function setLeaseIf(
  deps: ImagePushDeps,
  imageId: string,
  now: number,
  when: { readonly condition: string; readonly names: Record<string, string>; readonly values: Record<string, unknown>; readonly add?: string },
): Promise<number | undefined> {
  const until = now + PushSettings.leaseMs;
  try {
    await deps.store.documentClient.send(
      new UpdateCommand({
        TableName: deps.store.tableName,
        Key: imageKey(imageId),
        UpdateExpression: `SET #leaseUntil = :until${when.add ?? ''}`,
        ConditionExpression: when.condition,
        ExpressionAttributeNames: { '#leaseUntil': PushAttributes.leaseUntil, ...when.names },
        ExpressionAttributeValues: { ':until': until, ...when.values },
      }),
    );
    return until;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Finishes the push of a terminal image found by a later run. `reread`
 * fetches the item again after waiting out a live lease, to see whether its
 * holder finished. Throws PushDeferredError, before waiting or taking the
 * lease over, when the invocation has less left than the lease's rest plus
 * publishMarginMs.
 */
export async function pushIfUnpushed(
  deps: ImagePushDeps,
  stored: Image & PushState,
  reread: () => Promise<(Image & PushState) | undefined>,
): Promise<PushOutcome> {
  let image: (Image & PushState) | undefined = stored;
  for (;;) {
    if (!image || image.status === ImageStatus.PENDING || image[PushAttributes.pushedAt]) return 'already-pushed';
    // Ended before push leases existed: it was pushed then.
    const leaseUntil = image[PushAttributes.leaseUntil];
    if (leaseUntil === undefined) return 'already-pushed';
    const now = deps.now?.() ?? new Date();
    // Waiting out a lease (or taking it over) with no time left to push after it only holds up the runs that have.
    deferUnlessTimeLeft(deps, image.id, Math.max(0, leaseUntil - now.getTime()) + PushSettings.publishMarginMs);
    if (leaseUntil >= now.getTime()) {
      // The holder usually finishes within milliseconds: look again soon, not at the lease's end.
      await (deps.sleep ?? defaultSleep)(Math.min(leaseUntil - now.getTime() + 1, PushSettings.recheckMs));
      image = await reread();
      continue;
    }
    const until = await takeOverLease(deps, image.id, now);
    if (until === undefined) {
      image = await reread();
      continue;
    }
    // Taken over just now: if this run is itself too slow to publish in time, the next one takes it from us.
    if ((await pushHeld(deps, { ...image, [PushAttributes.leaseUntil]: until })) === 'taken-over') {
      image = await reread();
      continue;
    }
    return 'pushed';
  }
}
