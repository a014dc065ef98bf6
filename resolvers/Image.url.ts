/**
 * Image.url — a short-lived presigned GET URL of the uploaded original.
 * BatchInvoke: AppSync sends the URLs of a whole page of images to the
 * presign Lambda in one invocation.
 */
import { util, type Context, type LambdaRequest } from '@aws-appsync/utils';
import { objectKeyFor } from '../api/table.ts';

type ImageSource = { id: string };

export function request(ctx: Context<Record<string, never>, Record<string, unknown>, undefined, ImageSource>): LambdaRequest {
  const source = ctx.source as ImageSource;
  return { operation: 'BatchInvoke', payload: { objectKey: objectKeyFor(source.id) } };
}

export function response(ctx: Context) {
  if (ctx.error) util.error('Could not create the image URL', 'InternalFailure');
  return ctx.result ?? null;
}
