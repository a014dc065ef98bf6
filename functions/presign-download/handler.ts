/**
 * Lambda data source of Image.url and Image.thumbnailUrl. AppSync's
 * BatchInvoke sends a list of requests and takes a list of URLs in the same order.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../shared/env.ts';
import { presignDownload, type PresignDownloadRequest } from './presign.ts';

// Its service name comes from POWERTOOLS_SERVICE_NAME, which the stack derives from the manifest (api/manifest.ts serviceNameOf).
const logger = new Logger();
const bucket = requireEnv('UPLOAD_BUCKET');
const s3 = new S3Client({});

export const handler = async (event: PresignDownloadRequest | PresignDownloadRequest[]): Promise<string | string[]> => {
  const requests = Array.isArray(event) ? event : [event];
  const now = new Date();
  const urls = await Promise.all(requests.map((request) => presignDownload({ s3, bucket, request, now })));
  logger.debug('presigned downloads', { count: urls.length });
  return Array.isArray(event) ? urls : urls[0];
};
