/**
 * Completion callbacks: once an image is LABELED or FAILED, its public JSON
 * is POSTed to the `callbackUrl` given at requestUpload. The area:
 * - callback-signature.ts: `X-Labelcast-Signature: t=<unix>,v2=<HMAC of "<t>.<url>.<body>">`;
 * - callback-address.ts: which addresses a callback may reach, and the pinned connection;
 * - callback-sender.ts: attempts under a total deadline each, with backoff;
 * - callback-errors.ts: what can fail, and what is retried;
 * - this file: when a callback is sent, and that it is sent once.
 *
 * A callback never delays or repeats the push. It is the last step of the
 * run that finishes a terminal image (functions/shared/ended-image.ts):
 *
 *                                            ┌▶ pushedAt ───────┐
 *   terminal write ─▶ push (onImageLabeled) ─┤                  ├─▶ claim ─▶ callback
 *                                            └▶ search entries ─┘
 *   └──────────── push lease (image-push.ts) ───────────┘
 *
 * Guarantee: an image gets at most one delivery, of at most
 * CallbackSettings.maxAttempts attempts, ever.
 * - The delivery is claimed with a conditional write that needs `pushedAt`
 *   and no earlier claim: a duplicate S3 event, a Lambda retry or
 *   labeling-failed finding the image ended never sends it again; an image
 *   whose push the reconciler gave up (never pushed) gets none.
 * - Nothing here throws (the sender turns every failure into an outcome, and
 *   the claim's own failures are logged), and a delivery is bounded
 *   (deliveryBudgetMs, ~21 s), so a receiver that fails, hangs or drips can
 *   neither fail nor time out the run: it cannot cause a retry, and the
 *   retry could not push again anyway, as `pushedAt` was written first. Even
 *   a run killed mid-delivery (its function's timeout) leaves nothing to redo:
 *   the push is recorded and the delivery claimed.
 * The price: a run that dies between the claim and the delivery loses the
 * callback (at most once, not at least once). Receivers that must not miss
 * one also poll `image(id)` or subscribe.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import { imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import type { CallbackSender, DeliveryOutcome } from './callback-sender.ts';
import { PushAttributes } from './image-push.ts';
import type { TableStore } from './table-store.ts';

/** Attribute of the image item recording that its callback was claimed. */
export const CallbackAttributes = {
  /** ISO time a run claimed the image's one delivery; absent until then. */
  claimedAt: 'callbackClaimedAt',
} as const;

export interface CompletionCallbackDeps {
  readonly store: TableStore;
  /** Sends the callbacks; none are sent when omitted (no CALLBACK_SECRET). */
  readonly callbacks?: CallbackSender;
  readonly logger: Pick<Logger, 'warn'>;
  readonly now?: () => Date;
}

/** The callback URL stored on an image item, if any. */
export function callbackUrlOf(item: Image): string | undefined {
  const url = (item as Image & { callbackUrl?: unknown }).callbackUrl;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/** Claims the image's one delivery: true for the one run that may send it; false once claimed, before the push, or after a delete. */
async function claimDelivery(deps: CompletionCallbackDeps, imageId: string): Promise<boolean> {
  try {
    await deps.store.documentClient.send(
      new UpdateCommand({
        TableName: deps.store.tableName,
        Key: imageKey(imageId),
        UpdateExpression: 'SET #claimedAt = :now',
        ConditionExpression: 'attribute_exists(#pushedAt) AND attribute_not_exists(#claimedAt)',
        ExpressionAttributeNames: { '#claimedAt': CallbackAttributes.claimedAt, '#pushedAt': PushAttributes.pushedAt },
        ExpressionAttributeValues: { ':now': (deps.now?.() ?? new Date()).toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Sends a pushed image's completion callback, if it has a callbackUrl and no
 * run has claimed it yet. Resolves with the delivery's outcome, or undefined
 * when nothing was sent. Never rejects.
 */
export async function sendCompletionCallback(deps: CompletionCallbackDeps, image: Image): Promise<DeliveryOutcome | undefined> {
  const url = callbackUrlOf(image);
  if (!deps.callbacks || !url) return undefined;
  try {
    if (!(await claimDelivery(deps, image.id))) return undefined;
    return await deps.callbacks.deliver(url, image);
  } catch (error) {
    // The image is pushed and indexed: a callback that cannot be sent must not fail the run.
    deps.logger.warn('callback not sent', { imageId: image.id, error: error as Error });
    return undefined;
  }
}
