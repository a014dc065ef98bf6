/**
 * Subscription.onImageLabeled — with imageId, a server-side filter so only
 * that image's event reaches the subscriber.
 */
import { extensions, util, type Context, type NONERequest } from '@aws-appsync/utils';

export function request(): NONERequest {
  return { payload: null };
}

export function response(ctx: Context<{ imageId?: string | null }>) {
  const { imageId } = ctx.args;
  if (imageId) {
    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ id: { eq: imageId } }));
  }
  return null;
}
