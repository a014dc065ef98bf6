/**
 * What the reconciler does with an ended image it finds on byStatus (reconcile.ts, pass 1): finish it, leave it to
 * the run holding its push lease, take it off the index with nothing left to do, or give its push up. The index
 * holds an image until it is finished: its push recorded and, for a LABELED image with catalog names, the claim of
 * the last of them (api/table.ts); a push or an index step that failed after the run that ended the image leaves it
 * there, and no queue message retries it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { imageKey, ImagesTableLayout } from '../../api/table.ts';
import { ImageStatus } from '../../api/types.ts';
import { CatalogAttributes } from '../shared/catalog.ts';
import { indexEndedImage, type EndedImageDeps } from '../shared/ended-image.ts';
import { doneOncePushed, PushAttributes, takeGiveUpLease } from '../shared/image-push.ts';
import type { StoredImage } from '../shared/image-store.ts';

/** When the reconciler gives an image's push up (giveUpPush); part of ReconcileSettings. */
export const GiveUpSettings = {
  /**
   * Lapsed push leases taken over (pushAttempts, image-push.ts) after which a push may be given up, once the image
   * also ended (labeledAt) giveUpAfterSeconds ago. An image whose push always fails then leaves byStatus (an error
   * is logged; a LABELED one is indexed and counted first; no completion callback), rather than cost a read, a lease
   * write and an AppSync call every run, and hold a place among maxExaminedPerRun, for good.
   */
  maxPushAttempts: 12,
  /**
   * A push is given up only for an image that ended this long before the run: every lease taken over counts an
   * attempt (a labeler's redelivery or labeling-failed too, not only the reconciler's runs), and a lease lasts
   * 30 s, so the attempts alone would give up every image ended during an AppSync outage of an hour.
   */
  giveUpAfterSeconds: 24 * 60 * 60,
} as const;

/** The byStatus index's key: an image leaves the index when it is removed. */
export const recoveryKey = ImagesTableLayout.byStatusIndex.partitionKey;

/** Why an ended image leaves byStatus with nothing left to do (leaveIndex); a given-up push leaves by giveUpPush. */
export type Leaving = 'finished' | 'before-leases';

/** What decides an ended image's fate besides the item: the clock (leases) and the run's time (give-up age). */
export interface EndedImageClock {
  /** Epoch milliseconds of the clock: leases are the clock's, not the run's scheduled time's. */
  readonly nowMs: number;
  /** The ISO time before which an image must have ended (labeledAt) for its push to be given up. */
  readonly endedBefore: string;
}

/** Ended at `endedBefore` or later. An image without labeledAt (none is written without one) is not recent. */
const endedSince = (image: StoredImage, endedBefore: string) => typeof image.labeledAt === 'string' && image.labeledAt >= endedBefore;

/**
 * What pass 1 does with an ended image still on byStatus: finish it (push it if its lease lapsed, then its
 * search entries, catalog count and callback: finishEndedImage), leave it to the run holding its lease, or take
 * it off the index. Pushed, with no catalog name left to count: finished (a claim race left the key; catalog.ts).
 * Neither pushed nor leased: ended before push leases existed, so pushed then (as image-push.ts counts it), and
 * finished once its names, if any, are counted. Unpushed after maxPushAttempts, ended over giveUpAfterSeconds
 * ago: given up.
 */
export function endedImageAction(image: StoredImage, clock: EndedImageClock): 'finish' | 'pushing' | 'push-given-up' | Leaving {
  // Only a LABELED image is ever given catalog names (image-store.ts completeImage), so this is leavingCondition's
  // attribute_not_exists(#pending) as read.
  const done = doneOncePushed(image);
  if (image[PushAttributes.pushedAt]) return done ? 'finished' : 'finish';
  const leaseUntil = image[PushAttributes.leaseUntil];
  if (leaseUntil === undefined) return done ? 'before-leases' : 'finish';
  if (leaseUntil >= clock.nowMs) return 'pushing';
  const attemptsSpent = (image[PushAttributes.attempts] ?? 0) >= GiveUpSettings.maxPushAttempts;
  return attemptsSpent && !endedSince(image, clock.endedBefore) ? 'push-given-up' : 'finish';
}

/**
 * The condition (beside the key's existence) under which pass 1's reason to take an image off with nothing left to
 * do still holds (leaveIndex). A given-up push's removal is conditional on the item's push lease instead (giveUpPush).
 */
interface LeavingCondition {
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

function leavingCondition(why: Leaving): LeavingCondition {
  switch (why) {
    case 'finished':
      return { condition: 'attribute_exists(#pushedAt) AND attribute_not_exists(#pending)', names: { '#pending': CatalogAttributes.pending }, values: {} };
    case 'before-leases':
      return {
        condition: '#status <> :pending AND attribute_not_exists(#pushedAt) AND attribute_not_exists(#leaseUntil) AND attribute_not_exists(#pending)',
        names: { '#status': 'status', '#leaseUntil': PushAttributes.leaseUntil, '#pending': CatalogAttributes.pending },
        values: { ':pending': ImageStatus.PENDING },
      };
  }
}

/** Removes the image's byStatus key, on condition it is still in the state that made pass 1 drop it. */
export async function leaveIndex(deps: EndedImageDeps, image: StoredImage, why: Leaving): Promise<boolean> {
  const { condition, names, values } = leavingCondition(why);
  const left = await updateIf(deps, {
    Key: imageKey(image.id),
    UpdateExpression: 'REMOVE #recovery',
    ConditionExpression: `attribute_exists(#recovery) AND ${condition}`,
    ExpressionAttributeNames: { '#recovery': recoveryKey, '#pushedAt': PushAttributes.pushedAt, ...names },
    // DynamoDB refuses an empty ExpressionAttributeValues.
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  });
  if (left) deps.logger.info('ended image taken off byStatus', { imageId: image.id, why });
  return left;
}

/**
 * A conditional update of the image item: true when it was made, false when its condition failed (the item changed
 * since it was read: the next run looks again).
 */
async function updateIf(deps: EndedImageDeps, update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
  try {
    await deps.store.documentClient.send(new UpdateCommand({ TableName: deps.store.tableName, ...update }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Gives up the push of an image endedImageAction found given up: says whether this call did. A LABELED image is
 * indexed first, as a pushed one would be (indexEndedImage: its search entries, then its catalog count): the table
 * already shows it LABELED, so search and the catalog must too. Fenced, so nothing is done unless the give-up holds
 * for the item (not only for this run's eventually consistent read) and no run pushes meanwhile:
 *   1. the push lease is taken (image-push.ts takeGiveUpLease; not counted as an attempt), on condition the item is still given up (its byStatus
 *      key there, unpushed, attempts spent, lease lapsed); a second run giving it up at the same time fails here;
 *   2. the image is indexed, its catalog claims leaving the byStatus key in place (CountOptions.keepsStatusKey);
 *   3. the key is removed, on condition the lease is still the one taken in step 1 and nobody pushed: a run that took
 *      a lease this one let lapse (a slow step 2) pushes the image, and the key keeps it for the next reconciler run
 *      should that push fail;
 *   4. only then is the give-up logged.
 * A step that throws leaves the key: the lease lapses, and the next run gives it up again (steps 2 and 3 are
 * idempotent or claimed once). The age check (labeledAt, giveUpAfterSeconds) is endedImageAction's alone: labeledAt
 * never changes once the image ended.
 */
export async function giveUpPush(deps: EndedImageDeps, image: StoredImage, clock: EndedImageClock): Promise<boolean> {
  const held = await takeGiveUpLease(deps, image.id, clock.nowMs, GiveUpSettings.maxPushAttempts);
  if (held === undefined) return false;
  await indexEndedImage(deps, image, { keepsStatusKey: true });
  const left = await updateIf(deps, {
    Key: imageKey(image.id),
    UpdateExpression: 'REMOVE #recovery',
    ConditionExpression: '#leaseUntil = :held AND attribute_not_exists(#pushedAt)',
    ExpressionAttributeNames: { '#recovery': recoveryKey, '#leaseUntil': PushAttributes.leaseUntil, '#pushedAt': PushAttributes.pushedAt },
    ExpressionAttributeValues: { ':held': held },
  });
  if (!left) return false;
  deps.logger.error('push given up: every attempt failed; subscribers never heard of this image', {
    imageId: image.id,
    status: image.status,
    attempts: image[PushAttributes.attempts],
  });
  return true;
}
