/**
 * A burst under a Rekognition TPS quota, on a stack of its own started with
 * LABELCAST_REKOGNITION_TPS=1: twice as many distinct uploads at once as the
 * labelling queue hands the labelers at a time (S3 → SQS → the labeler's
 * event source mapping, at most the concurrency the quota gives, a batch
 * each), so half of them wait in the queue while Rekognition throttles what
 * goes past the quota, and the labeler waits it out instead of failing
 * images. Every image must end LABELED, none FAILED, and each pushed exactly
 * once, counted per id on one aws-amplify subscription to every image.
 *
 * Twice the batches in flight (16), not 40 as before: each image costs the
 * stack and its Lambda hosts about 0.3 CPU-s even when the engine's cache
 * answers it, and two calls at 1 TPS; 40 cost ~19 CPU-s and 75 s for the
 * same assertions. What the quota's throttling meets first is the labeler's
 * SDK retries; throttling that outlasts them (the message back to the queue)
 * happened to one image in 40 now and then, and is checked for certain, with
 * an injected fault, in tests/e2e/isolated/rekognition-faults.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLabelingQuotas, LabelingQueueSettings, labelerMaximumConcurrency } from '../../api/labeling-queue.ts';
import type { Image } from '../../client-example/graphql/index.ts';
import { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';
import type { RunningStack } from '../../local/child-process-stack.ts';
import { fixture } from '../support/amplify-client.ts';
import { imageItem, isCatalogCounted, isPushRecorded } from '../support/image-items.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { rekognitionStats } from '../support/rekognition-stats.ts';
import { waitFor } from '../support/wait-for.ts';
import { startOwnStack, stopOwnStack } from '../support/own-stack.ts';

/** The stack's Rekognition quota, per operation. */
const quotaTps = 1;
/** The messages the labelling queue hands the labelers at once under that quota: 2 labelers, a batch of 4 each (api/labeling-queue.ts). */
const heldAtOnce = labelerMaximumConcurrency({ ...defaultLabelingQuotas, rekognitionTps: quotaTps }) * LabelingQueueSettings.batchSize;
/** Twice that: half the burst waits in the queue while the labelers are throttled. */
const uploads = 2 * heldAtOnce;

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

describe(`Burst: ${uploads} uploads at once under a Rekognition quota of ${quotaTps} TPS`, () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-burst-'));
  let stack: RunningStack;
  let client: LabelcastClient;

  beforeAll(async () => {
    stack = await startOwnStack(stateDir, { LABELCAST_REKOGNITION_TPS: String(quotaTps) });
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
    const before = await rekognitionStats(stack);

    // Act: every upload at once
    await Promise.all(tickets.map((ticket, index) => client.upload(ticket, images[index]!)));
    await waitFor(() => pushes.size === uploads);
    // Each image's run has recorded its push and counted the catalog: nothing is left to push it again.
    await waitFor(async () => {
      const items = await Promise.all([...ids].map((id) => imageItem(id, stack)));
      return items.every((item) => isPushRecorded(item) && isCatalogCounted(item));
    });
    const after = await rekognitionStats(stack);
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
