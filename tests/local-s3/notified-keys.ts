/**
 * Proves that a request caused no S3 notification without waiting a while
 * and hoping: local S3 notifies in write order (server.ts: one setImmediate
 * per write, as the write lands), so once a marker object written afterwards
 * has been notified, every notification the earlier requests caused has been
 * delivered too.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { decodeEventKey } from '../../local/s3/index.ts';

const keysOf = (events: readonly S3Event[]) => events.flatMap((event) => event.Records.map((record) => decodeEventKey(record.s3.object.key)));

/** The keys notified since `events[from]`, up to and without a marker object written now. */
export async function keysNotifiedSince(client: S3Client, bucket: string, events: readonly S3Event[], from: number): Promise<string[]> {
  const marker = `markers/${randomUUID()}`;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: marker, Body: 'marker' }));
  // The marker's notification is on its way (queued as its write landed); the test's timeout bounds the wait.
  while (!keysOf(events.slice(from)).includes(marker)) await new Promise((resolve) => setImmediate(resolve));
  const keys = keysOf(events.slice(from));
  return keys.slice(0, keys.indexOf(marker));
}
