/**
 * Query.image — one image by id, or null. Someone else's image is refused
 * with Unauthorized, as AppSync's owner checks on a GetItem do
 * (`util.unauthorized()` in the response handler).
 */
import { util, type Context, type DynamoDBGetItemRequest } from '@aws-appsync/utils';
import { ownerOf, ownerOfItem } from '../api/owner.ts';
import { imageKey } from '../api/table.ts';

export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {
  return { operation: 'GetItem', key: util.dynamodb.toMapValues(imageKey(ctx.args.id)) };
}

export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const item = ctx.result;
  if (!item) return null;
  if (ownerOfItem(item) !== ownerOf(ctx.identity as { sub?: string } | null)) util.unauthorized();
  return item;
}
