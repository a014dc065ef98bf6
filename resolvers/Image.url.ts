/**
 * Image.url — a short-lived presigned GET URL of the original the labeler
 * keeps for a LABELED image (api/media.ts); null before that, and for FAILED
 * images, whose upload is never kept (S3 expires the uploads prefix).
 * BatchInvoke: AppSync sends the URLs of a whole page of images to the
 * presign Lambda in one invocation.
 */
import { runtime, type Context, type LambdaRequest } from '@aws-appsync/utils';
import { originalKeyFor } from '../api/media.ts';
import { failOnDataSourceError } from './shared/data-source-errors.ts';

type ImageSource = { id: string; status: string };

export function request(ctx: Context<Record<string, never>, Record<string, unknown>, undefined, ImageSource>): LambdaRequest {
  const source = ctx.source as ImageSource;
  if (source.status !== 'LABELED') runtime.earlyReturn(null);
  return { operation: 'BatchInvoke', payload: { objectKey: originalKeyFor(source.id) } };
}

export function response(ctx: Context) {
  if (ctx.error) failOnDataSourceError(ctx.error, 'create the image URL');
  return ctx.result ?? null;
}
