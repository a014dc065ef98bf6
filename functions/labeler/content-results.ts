/**
 * Labels once per distinct content: the SHA-256 of the uploaded bytes keys a
 * stored detection result (api/table.ts, CONTENT#<sha256>), so the same bytes
 * uploaded again reuse it without calling Rekognition. Two identical uploads
 * labelled at the same moment may both detect; the result is the same.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { contentResultKey } from '../../api/table.ts';
import type { Label } from '../../api/types.ts';
import type { TableStore } from '../shared/table-store.ts';
import type { Detection } from './detect.ts';

/** Hex SHA-256 of an S3 object, streamed (never held whole in memory). */
export async function objectSha256(s3: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!Body) throw new Error(`object ${key} has no body`);
  const hash = createHash('sha256');
  for await (const chunk of Body as Readable) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

interface StoredResult {
  readonly labels: Label[];
  readonly moderationLabels: Label[];
}

export async function storedDetection(store: TableStore, sha256: string): Promise<Detection | undefined> {
  const { Item } = await store.documentClient.send(
    new GetCommand({ TableName: store.tableName, Key: contentResultKey(sha256) }),
  );
  if (!Item) return undefined;
  const { labels, moderationLabels } = Item as StoredResult;
  return { labels, moderationLabels };
}

export async function storeDetection(store: TableStore, sha256: string, detection: Detection, now: Date): Promise<void> {
  await store.documentClient.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        ...contentResultKey(sha256),
        sha256,
        labels: detection.labels,
        moderationLabels: detection.moderationLabels,
        detectedAt: now.toISOString(),
      },
    }),
  );
}

export interface DetectByContentDeps {
  readonly store: TableStore;
  readonly s3: S3Client;
  /** Runs Rekognition; called only for bytes not seen before. */
  readonly detect: () => Promise<Detection>;
  readonly now: Date;
}

/** The stored result for these bytes, or a fresh detection that is stored for next time. */
export async function detectByContent(
  deps: DetectByContentDeps,
  object: { readonly bucket: string; readonly key: string },
): Promise<Detection & { readonly sha256: string; readonly reused: boolean }> {
  const sha256 = await objectSha256(deps.s3, object.bucket, object.key);
  const stored = await storedDetection(deps.store, sha256);
  if (stored) return { ...stored, sha256, reused: true };
  const detection = await deps.detect();
  await storeDetection(deps.store, sha256, detection, deps.now);
  return { ...detection, sha256, reused: false };
}
