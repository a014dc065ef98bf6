/**
 * The uploads bucket on a real local S3 (SigV4 admission, conditional writes),
 * for function tests: the server, an SDK client configured as the functions
 * configure theirs, and one close for both and the data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startLocalS3, type LocalS3 } from '../../local/s3/index.ts';
import { credentials, region } from './images-table.ts';

export const bucket = 'labelcast-uploads';

export interface UploadsBucket {
  readonly localS3: LocalS3;
  readonly s3: S3Client;
  close(): Promise<void>;
}

export async function startUploadsBucket(args: { readonly maxObjectBytes?: number } = {}): Promise<UploadsBucket> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-bucket-'));
  const localS3 = await startLocalS3({
    dataDir,
    port: 0,
    region,
    credentials: credentialStore(credentials),
    buckets: [{ name: bucket }],
    maxObjectBytes: args.maxObjectBytes ?? 1024 * 1024,
    onObjectCreated: () => undefined,
  });
  const s3 = new S3Client({ endpoint: localS3.endpoint, region, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  return {
    localS3,
    s3,
    async close() {
      s3.destroy();
      await localS3.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
