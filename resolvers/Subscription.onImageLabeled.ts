/**
 * Subscription.onImageLabeled — a server-side filter on the published
 * image's owner, so a user-pool subscriber gets only its own images' events
 * and API-key subscribers only the shared space's; with imageId, only that
 * image's event. An imageId that cannot name an image is refused, so the
 * subscription does not start.
 */
import { extensions, util, type Context, type NONERequest } from '@aws-appsync/utils';
import { ownerOf } from '../api/owner.ts';
import { checkedImageId } from './shared/arguments.ts';

export function request(): NONERequest {
  return { payload: null };
}

export function response(ctx: Context<{ imageId?: string | null }>) {
  const { imageId } = ctx.args;
  const owner = ownerOf(ctx.identity as { sub?: string } | null);
  const hasImageId = imageId !== null && imageId !== undefined;
  const filter = hasImageId ? { owner: { eq: owner }, id: { eq: checkedImageId(imageId, 'imageId') } } : { owner: { eq: owner } };
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
}
