/**
 * A burst under a Rekognition TPS quota, on a stack of its own started with
 * LABELCAST_REKOGNITION_TPS=1: more distinct uploads at once than the
 * labelling queue hands the labelers at a time (S3 → SQS → the labeler's
 * event source mapping, at most the concurrency the quota gives, a batch
 * each: 2 × 4 at 1 TPS, api/labeling-queue.ts), so most of them wait in the
 * queue while Rekognition throttles what goes past the quota, and the labeler waits it out instead of failing
 * images. Every image must end LABELED, none FAILED, and each pushed exactly
 * once, counted per id on one aws-amplify subscription to every image.
 *
 * 40 uploads, the burst the project promises to survive (five times the
 * messages in flight under that quota, 2 batches of 4, so most of the burst waits in the
 * queue). It costs the stack and its Lambda hosts ~19 CPU-s (each image
 * ~0.3 CPU-s even when the engine's cache answers it, and two calls at
 * 1 TPS); 16 would check the same assertions for ~12, but the burst's size is
 * the point. What the quota's throttling meets first is the labeler's SDK
 * retries; throttling that outlasts them (the message back to the queue) is
 * checked for certain, with an injected fault, in
 * tests/e2e/isolated/rekognition-faults.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
/** The burst: five times what the labelers hold at once, so most of it waits in the queue while they are throttled. */
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

describe(`Burst: ${uploads} uploads at once under a Rekognition quota of ${quotaTps} TPS`, () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-burst-'));
  let stack: RunningStack;
  let client: LabelcastClient;

  beforeAll(async () => {
    // An engine of its own: in the e2e stacks' shared engine (one worker, tests/support/local-stack-setup.ts) each of
    // the burst's quota-paced calls waited behind the other stacks' analyses, which stretched the burst from ~130 s to
    // ~200 s on a loaded machine (and once ended with two images pushed twice).
    stack = await startOwnStack(stateDir, { LABELCAST_REKOGNITION_TPS: String(quotaTps) }, { ownEngine: true });
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
