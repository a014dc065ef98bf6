/**
 * requestUpload step 2: asks the presign Lambda for a PUT URL bound to the
 * image's key, content type and exact size.
 */
import type { Context, LambdaRequest } from '@aws-appsync/utils';
import { uploadKeyFor } from '../../api/media.ts';
import { failOnDataSourceError } from '../shared/data-source-errors.ts';

export function request(ctx: Context<{ input: { contentType: string; sizeBytes: number } }>): LambdaRequest {
  const { imageId } = ctx.stash;
  const { contentType, sizeBytes } = ctx.args.input;
  return {
    operation: 'Invoke',
    payload: { objectKey: uploadKeyFor(imageId), contentType, sizeBytes },
  };
}

export function response(ctx: Context) {
  if (ctx.error) failOnDataSourceError(ctx.error, 'create the upload URL');
  const { uploadUrl, uploadHeaders, expiresAt } = ctx.result;
  return { imageId: ctx.stash.imageId, uploadUrl, uploadHeaders, expiresAt };
}
