/**
 * A burst under a Rekognition TPS quota, on a stack of its own started with
 * LABELCAST_REKOGNITION_TPS=1: 40 distinct uploads at once go through the
 * labelling queue (S3 → SQS → the labeler's event source mapping, at most
 * the concurrency the quota gives), Rekognition throttles what goes past the
 * quota, and the labeler waits it out (SDK retries, then the message back to
 * the queue) instead of failing images. Every image must end LABELED, none
 * FAILED, and each pushed exactly once, counted per id on one aws-amplify
 * subscription to every image.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Image } from '../../client-example/graphql/index.ts';
import { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';
import { stackCredentials, type RunningStack } from '../../local/child-process-stack.ts';
import { adminFetch } from '../../local/iam/admin-fetch.ts';
import { signingName } from '../../local/rekognition/protocol.ts';
import { statsPath, type RekognitionStats } from '../../local/rekognition/stats.ts';
import { fixture } from '../support/amplify-client.ts';
import { imageItem, isCatalogCounted, isPushRecorded } from '../support/image-items.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { waitFor } from '../support/wait-for.ts';
import { startOwnStack, stopOwnStack } from '../support/own-stack.ts';

const uploads = 40;

/**
 * `count` small JPEGs of the cat, each with bytes of its own (a comment segment), so no two share a stored result
 * and each is a DetectLabels and a DetectModerationLabels call under the quota. The picture is the same, so the
 * local engine's analysis cache (local/rekognition/engine/analysis-cache.ts) answers all but the first: the
 * quota, not the engine, is what this file is about.
 */
async function distinctJpegs(count: number): Promise<Buffer[]> {
  const cat = await sharp(await fixture('cat.jpg')).resize({ width: 320 }).jpeg({ quality: 80 }).toBuffer();
  return Array.from({ length: count }, () => jpegVariant(cat));
}

describe('Burst: 40 uploads at once under a Rekognition quota of 1 TPS', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-burst-'));
  let stack: RunningStack;
  let client: LabelcastClient;

  const rekognitionStats = async (): Promise<RekognitionStats> => {
    const response = await adminFetch(
      new URL(statsPath, stack.rekognitionEndpoint),
      { method: 'GET' },
      { credentials: stackCredentials(stateDir), region: stack.region, service: signingName },
    );
    return (await response.json()) as RekognitionStats;
  };

  beforeAll(async () => {
    stack = await startOwnStack(stateDir, { LABELCAST_REKOGNITION_TPS: '1' });
    client = new LabelcastClient();
  }, 180_000);

  afterAll(() => stopOwnStack(stack, stateDir));

  it('ends every image LABELED, none FAILED, each pushed once', async () => {
    // Prepare: the tickets, and one subscription to every image
    const images = await distinctJpegs(uploads);
    expect(new Set(images.map((bytes) => bytes.toString('base64'))).size).toBe(uploads);
    const tickets = await Promise.all(
      images.map((bytes, index) => client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength, fileName: `burst-${index}.jpg` })),
    );
    const ids = new Set(tickets.map((ticket) => ticket.imageId));
    const pushes = new Map<string, Image[]>();
    const errors: Error[] = [];
    const watcher = client.watchAll(
      (image) => {
        if (ids.has(image.id)) pushes.set(image.id, [...(pushes.get(image.id) ?? []), image]);
      },
      (error) => errors.push(error),
    );
    await watcher.ready;
    const before = await rekognitionStats();

    // Act: every upload at once
    await Promise.all(tickets.map((ticket, index) => client.upload(ticket, images[index]!)));
    await waitFor(() => pushes.size === uploads);
    // Each image's run has recorded its push and counted the catalog: nothing is left to push it again.
    await waitFor(async () => {
      const items = await Promise.all([...ids].map((id) => imageItem(id, stack)));
      return items.every((item) => isPushRecorded(item) && isCatalogCounted(item));
    });
    const after = await rekognitionStats();
    const stored = await Promise.all([...ids].map((id) => client.image(id)));
    watcher.stop();

    // Assess
    expect(errors).toEqual([]);
    const statuses = stored.map((image) => image?.status);
    expect(statuses.filter((status) => status === 'LABELED'), JSON.stringify(stored.filter((image) => image?.status !== 'LABELED'))).toHaveLength(uploads);
    expect(statuses.filter((status) => status === 'FAILED')).toHaveLength(0);
    const pushCounts = [...ids].map((id) => pushes.get(id)?.length ?? 0);
    expect(pushCounts.filter((count) => count !== 1), `pushes per image: ${pushCounts.join(',')}`).toEqual([]);
    expect([...pushes.values()].every(([pushed]) => pushed?.status === 'LABELED')).toBe(true);
    // The quota was really in the way (the two labelers the quota allows start together, so their first calls
    // already meet it): Rekognition refused calls over it, and every image was still labelled.
    expect(after.throttledByQuota - before.throttledByQuota).toBeGreaterThan(0);
    expect(after.DetectLabels - before.DetectLabels).toBeGreaterThanOrEqual(uploads);
  }, 900_000);
});
