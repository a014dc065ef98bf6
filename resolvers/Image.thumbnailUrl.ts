/**
 * Image.thumbnailUrl — a short-lived presigned GET URL of the WebP thumbnail
 * the labeler writes before an image becomes LABELED; null before that, and
 * for FAILED images, which have none.
 */
import { runtime, type Context, type LambdaRequest } from '@aws-appsync/utils';
import { thumbnailKeyFor } from '../api/media.ts';
import { failOnDataSourceError } from './shared/data-source-errors.ts';

type ImageSource = { id: string; status: string };

export function request(ctx: Context<Record<string, never>, Record<string, unknown>, undefined, ImageSource>): LambdaRequest {
  const source = ctx.source as ImageSource;
  if (source.status !== 'LABELED') runtime.earlyReturn(null);
  return { operation: 'BatchInvoke', payload: { objectKey: thumbnailKeyFor(source.id) } };
}

export function response(ctx: Context) {
  if (ctx.error) failOnDataSourceError(ctx.error, 'create the thumbnail URL');
  return ctx.result ?? null;
}
