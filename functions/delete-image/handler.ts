/** Lambda data source of Mutation.deleteImage (functions/delete-image/delete-image.ts does the work). */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../shared/env.ts';
import { tableStoreFromEnv } from '../shared/from-env.ts';
import { deleteImage, type DeleteImageDeps, type DeleteImageRequest, type DeleteImageResult } from './delete-image.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();

const deps: DeleteImageDeps = {
  store: tableStoreFromEnv(),
  s3: new S3Client({}),
  bucket: requireEnv('UPLOAD_BUCKET'),
};

export const handler = async (event: DeleteImageRequest): Promise<DeleteImageResult> => {
  const result = await deleteImage(deps, event);
  logger.info(result.deleted ? 'image deleted' : 'no such image', { imageId: event.imageId });
  return result;
};
