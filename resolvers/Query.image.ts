/** Query.image — one image by id, or null. */
import { util, type Context, type DynamoDBGetItemRequest } from '@aws-appsync/utils';
import { imageKey } from '../api/table.ts';

export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {
  return { operation: 'GetItem', key: util.dynamodb.toMapValues(imageKey(ctx.args.id)) };
}

export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result ?? null;
}
