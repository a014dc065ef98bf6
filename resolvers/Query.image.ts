/**
 * Query.image — one image by id, or null. Someone else's image is refused
 * with Unauthorized, as AppSync's owner checks on a GetItem do
 * (`util.unauthorized()` in the response handler). An id that cannot name an
 * image is a BadRequestException, before any read.
 */
import { util, type Context, type DynamoDBGetItemRequest } from '@aws-appsync/utils';
import { ownerOf, ownerOfItem } from '../api/owner.ts';
import { imageKey } from '../api/table.ts';
import { checkedImageId } from './shared/arguments.ts';
import { failOnDataSourceError } from './shared/data-source-errors.ts';

export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {
  const id = checkedImageId(ctx.args.id, 'id');
  return { operation: 'GetItem', key: util.dynamodb.toMapValues(imageKey(id)) };
}

export function response(ctx: Context) {
  if (ctx.error) failOnDataSourceError(ctx.error, 'read the image');
  const item = ctx.result;
  if (!item) return null;
  if (ownerOfItem(item) !== ownerOf(ctx.identity as { sub?: string } | null)) util.unauthorized();
  return item;
}
