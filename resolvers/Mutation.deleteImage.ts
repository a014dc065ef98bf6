/**
 * Mutation.deleteImage — APPSYNC_JS cannot call S3, so the delete-image
 * Lambda does the work (functions/delete-image/); it deletes only the
 * caller's own image. An unknown id is NotFound, someone else's Unauthorized.
 */
import { util, type Context, type LambdaRequest } from '@aws-appsync/utils';
import { ownerOf } from '../api/owner.ts';

export function request(ctx: Context<{ id: string }>): LambdaRequest {
  const id = ctx.args.id.trim();
  if (id === '' || id.includes('/')) util.error('id must be an image id', 'BadRequestException', null, { field: 'id' });
  return { operation: 'Invoke', payload: { imageId: id, owner: ownerOf(ctx.identity as { sub?: string } | null) } };
}

export function response(ctx: Context<{ id: string }>) {
  if (ctx.error) util.error('Could not delete the image', 'InternalFailure');
  if (ctx.result.notOwner) util.unauthorized();
  if (!ctx.result.deleted) util.error(`Image ${ctx.args.id} not found`, 'NotFound', null, { id: ctx.args.id });
  return ctx.result.deleted;
}
