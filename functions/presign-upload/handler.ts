/** Lambda data source of requestUpload's second pipeline step. */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../shared/env.ts';
import { presignUpload, type PresignUploadRequest, type UploadTicketParts } from './presign.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();
const bucket = requireEnv('UPLOAD_BUCKET');
// WHEN_REQUIRED: otherwise the URL carries an empty-body checksum that S3 rejects.
const s3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });

export const handler = async (event: PresignUploadRequest): Promise<UploadTicketParts> => {
  const ticket = await presignUpload({ s3, bucket, request: event });
  logger.info('presigned upload', { objectKey: event.objectKey, sizeBytes: event.sizeBytes });
  return ticket;
};
