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
 * One window is left: a holder that dies after publishing and before
 * recording `pushedAt` is pushed again by the next run.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { imageKey } from '../../api/table.ts';
import { ImageStatus, type Image } from '../../api/types.ts';
import { allSettledOrThrow } from './all-settled.ts';
import type { Publisher } from './appsync-publisher.ts';
import type { TableStore } from './table-store.ts';

/** Attributes of the image item that track its push. */
export const PushAttributes = {
  /** Epoch milliseconds until which the holder may still be publishing. */
  leaseUntil: 'pushLeaseUntil',
  /** ISO time the push was published; absent until then. */
  pushedAt: 'pushedAt',
} as const;

export const PushSettings = {
  /**
   * Longer than a holder needs from its terminal write to the end of its
   * publish: a store write, the AppSync call (5 s timeout) and the write of
   * `pushedAt` (no completion callback: it comes after). A run that finds the
   * lease held waits at most this long, inside every pushing function's timeout.
   */
  leaseMs: 30_000,
  /** How often a waiting run looks again whether the holder has pushed. */
  recheckMs: 250,
} as const;

/** The push bookkeeping of a stored image item. */
export interface PushState {
  readonly [PushAttributes.leaseUntil]?: number;
  readonly [PushAttributes.pushedAt]?: string;
}

export interface ImagePushDeps {
  readonly store: TableStore;
  readonly publisher: Publisher;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type PushOutcome = 'pushed' | 'already-pushed';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The lease the winning terminal update writes: its expression parts, merged into completeImage's update. */
export function leaseOnCompletion(now: Date): { readonly names: Record<string, string>; readonly values: Record<string, number>; readonly set: string } {
  return {
    set: '#pushLeaseUntil = :pushLeaseUntil',
    names: { '#pushLeaseUntil': PushAttributes.leaseUntil },
    values: { ':pushLeaseUntil': now.getTime() + PushSettings.leaseMs },
  };
}

async function recordPushed(deps: ImagePushDeps, imageId: string): Promise<void> {
  await deps.store.documentClient.send(
    new UpdateCommand({
      TableName: deps.store.tableName,
      Key: imageKey(imageId),
      UpdateExpression: 'SET #pushedAt = :pushedAt REMOVE #leaseUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#pushedAt': PushAttributes.pushedAt, '#leaseUntil': PushAttributes.leaseUntil },
      ExpressionAttributeValues: { ':pushedAt': (deps.now?.() ?? new Date()).toISOString() },
    }),
  ).catch((error: unknown) => {
    // Deleted since: nothing left to record on.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
}

/**
 * Publishes an image whose lease this run holds (it won the terminal update), then records the push.
 * `alongside` (the search entries and catalog count, ended-image.ts pushAndFinishHeld) runs beside that
 * record, as both need only the publish before them; the run fails, once both have settled, with the first error.
 */
export async function pushHeld(deps: ImagePushDeps, image: Image, alongside?: () => Promise<void>): Promise<void> {
  await deps.publisher.publish(image);
  await allSettledOrThrow([recordPushed(deps, image.id), alongside?.()]);
}

/** Takes the lease when it has lapsed and nobody has pushed; false when someone else holds or finished it. */
async function takeOverLease(deps: ImagePushDeps, imageId: string, now: Date): Promise<boolean> {
  try {
    await deps.store.documentClient.send(
      new UpdateCommand({
        TableName: deps.store.tableName,
        Key: imageKey(imageId),
        UpdateExpression: 'SET #leaseUntil = :until',
        ConditionExpression: 'attribute_not_exists(#pushedAt) AND #status <> :pending AND #leaseUntil < :now',
        ExpressionAttributeNames: { '#leaseUntil': PushAttributes.leaseUntil, '#pushedAt': PushAttributes.pushedAt, '#status': 'status' },
        ExpressionAttributeValues: { ':until': now.getTime() + PushSettings.leaseMs, ':now': now.getTime(), ':pending': ImageStatus.PENDING },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Finishes the push of a terminal image found by a later run. `reread`
 * fetches the item again after waiting out a live lease, to see whether its
 * holder finished.
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
    if (leaseUntil >= now.getTime()) {
      // The holder usually finishes within milliseconds: look again soon, not at the lease's end.
      await (deps.sleep ?? defaultSleep)(Math.min(leaseUntil - now.getTime() + 1, PushSettings.recheckMs));
      image = await reread();
      continue;
    }
    if (!(await takeOverLease(deps, image.id, now))) {
      image = await reread();
      continue;
    }
    await pushHeld(deps, image);
    return 'pushed';
  }
}
