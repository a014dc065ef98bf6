/**
 * Image.thumbnailUrl — a short-lived presigned GET URL of the WebP thumbnail
 * the labeler writes before an image becomes LABELED; null before that, and
 * for FAILED images, which have none.
 */
import { runtime, util, type Context, type LambdaRequest } from '@aws-appsync/utils';
import { thumbnailKeyFor } from '../api/media.ts';

type ImageSource = { id: string; status: string };

export function request(ctx: Context<Record<string, never>, Record<string, unknown>, undefined, ImageSource>): LambdaRequest {
  const source = ctx.source as ImageSource;
  if (source.status !== 'LABELED') runtime.earlyReturn(null);
  return { operation: 'BatchInvoke', payload: { objectKey: thumbnailKeyFor(source.id) } };
}

export function response(ctx: Context) {
  if (ctx.error) util.error('Could not create the thumbnail URL', 'InternalFailure');
  return ctx.result ?? null;
}
