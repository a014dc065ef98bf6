/**
 * Mutation.deleteImage — APPSYNC_JS cannot call S3, so the delete-image
 * Lambda does the work (functions/delete-image/); it deletes only the
 * caller's own image. An unknown id is NotFound, someone else's Unauthorized,
 * and an id that cannot name an image a BadRequestException before the Lambda runs.
 */
import { util, type Context, type LambdaRequest } from '@aws-appsync/utils';
import { ownerOf } from '../api/owner.ts';
import { checkedImageId } from './shared/arguments.ts';
import { failOnDataSourceError } from './shared/data-source-errors.ts';

export function request(ctx: Context<{ id: string }>): LambdaRequest {
  const id = checkedImageId(ctx.args.id, 'id');
  return { operation: 'Invoke', payload: { imageId: id, owner: ownerOf(ctx.identity as { sub?: string } | null) } };
}

export function response(ctx: Context<{ id: string }>) {
  if (ctx.error) failOnDataSourceError(ctx.error, 'delete the image');
  if (ctx.result.notOwner) util.unauthorized();
  if (!ctx.result.deleted) util.error(`Image ${ctx.args.id} not found`, 'NotFound', null, { id: ctx.args.id });
  return ctx.result.deleted;
}
