/**
 * Finds images stuck in PENDING (on the byStatus index, no Scan) and ends
 * each one: an image whose object exists is re-driven through the labeler
 * by copying the object onto itself, which makes S3 send a fresh
 * ObjectCreated:Copy event down the normal path; a ticket whose upload URL
 * has expired with no object ends FAILED.
 */
import { CopyObjectCommand, HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { UploadLimits } from '../../api/limits.ts';
import { ImagesTableLayout, objectKeyFor } from '../../api/table.ts';
import { ImageStatus, type Image } from '../../api/types.ts';
import { markImageFailed, type MarkFailedDeps } from '../labeling-failed/mark-failed.ts';

export const ReconcileSettings = {
  /** An object younger than this may still be in the labeler's hands (60 s timeout × 3 attempts, plus retry delays). */
  redriveAfterSeconds: 600,
  /** A PUT that started just before the URL expired may still be arriving. */
  expiryGraceSeconds: 300,
  /** Images handled per run; the next run picks up the rest. */
  maxImagesPerRun: 500,
} as const;

export const expiredTicketReason = 'upload URL expired, nothing was uploaded';

export interface ReconcileDeps extends MarkFailedDeps {
  readonly s3: S3Client;
  readonly bucket: string;
}

export interface ReconcileOptions {
  /** Re-drive objects at least this old; 0 right after a restart, when nothing can be in flight. */
  readonly redriveAfterSeconds?: number;
  /** The time the run is for (a scheduled event's `time`); ages are measured from it. @default the clock */
  readonly now?: Date;
}

export interface ReconcileSummary {
  readonly pending: number;
  readonly redriven: number;
  readonly expired: number;
  readonly waiting: number;
}

type PendingImage = Pick<Image, 'id' | 'createdAt' | 'contentType'>;

async function* pendingImages(deps: ReconcileDeps, createdBefore: string): AsyncGenerator<PendingImage> {
  const index = ImagesTableLayout.byStatusIndex;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.store.documentClient.send(
      new QueryCommand({
        TableName: deps.store.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#status = :pending AND #createdAt <= :before',
        ExpressionAttributeNames: { '#status': index.partitionKey, '#createdAt': index.sortKey },
        ExpressionAttributeValues: { ':pending': ImageStatus.PENDING, ':before': createdBefore },
        ProjectionExpression: 'id, createdAt, contentType',
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) yield item as PendingImage;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

async function objectExists(deps: ReconcileDeps, key: string): Promise<boolean> {
  try {
    await deps.s3.send(new HeadObjectCommand({ Bucket: deps.bucket, Key: key }));
    return true;
  } catch (error) {
    if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

/** An in-place copy must change something; S3 then emits ObjectCreated:Copy for the key. */
async function redrive(deps: ReconcileDeps, image: PendingImage, at: Date): Promise<void> {
  const key = objectKeyFor(image.id);
  await deps.s3.send(
    new CopyObjectCommand({
      Bucket: deps.bucket,
      Key: key,
      CopySource: `${deps.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
      MetadataDirective: 'REPLACE',
      ContentType: image.contentType,
      Metadata: { 'redriven-at': at.toISOString() },
    }),
  );
}

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const now = options.now ?? deps.now?.() ?? new Date();
  const redriveAfterMs = (options.redriveAfterSeconds ?? ReconcileSettings.redriveAfterSeconds) * 1000;
  const expiresAfterMs = (UploadLimits.urlTtlSeconds + ReconcileSettings.expiryGraceSeconds) * 1000;
  const createdBefore = new Date(now.getTime() - redriveAfterMs).toISOString();
  const summary = { pending: 0, redriven: 0, expired: 0, waiting: 0 };
  for await (const image of pendingImages(deps, createdBefore)) {
    if (summary.pending >= ReconcileSettings.maxImagesPerRun) break;
    summary.pending += 1;
    if (await objectExists(deps, objectKeyFor(image.id))) {
      await redrive(deps, image, now);
      summary.redriven += 1;
    } else if (now.getTime() - Date.parse(image.createdAt) >= expiresAfterMs) {
      if ((await markImageFailed(deps, image.id, expiredTicketReason)) === 'failed') summary.expired += 1;
    } else {
      summary.waiting += 1;
    }
  }
  deps.logger.info('reconciled', { ...summary });
  return summary;
}
