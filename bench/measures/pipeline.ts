/**
 * Pipeline overhead: time from the upload's response to the onImageLabeled
 * event, minus the time the engine itself spent on that image (the local
 * Rekognition's engineBusyMs across the run). One image at a time, so no
 * image waits for another; a few images first warm every process up.
 */
import type { BenchContext } from '../context.ts';
import { p50, p99 } from '../lib/stats.ts';

const warmUpImages = 5;

async function labelOne(context: BenchContext, bytes: Buffer): Promise<{ endToEndMs: number; engineMs: number }> {
  const ticket = await context.client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
  const { ready, labeled } = context.client.watchImage(ticket.imageId);
  await ready;
  const engineBefore = (await context.engineStats()).engineBusyMs;
  await context.client.upload(ticket, bytes);
  const uploaded = performance.now();
  const image = await labeled;
  const endToEndMs = performance.now() - uploaded;
  const engineMs = (await context.engineStats()).engineBusyMs - engineBefore;
  if (image.status !== 'LABELED') throw new Error(`image ${image.id} ended ${image.status}: ${image.error}`);
  return { endToEndMs, engineMs };
}

export async function measurePipelineOverhead(context: BenchContext, images: readonly Buffer[]) {
  for (const bytes of images.slice(0, warmUpImages)) await labelOne(context, bytes);
  const runs: { endToEndMs: number; engineMs: number }[] = [];
  for (const bytes of images.slice(warmUpImages)) runs.push(await labelOne(context, bytes));
  const overheads = runs.map((run) => run.endToEndMs - run.engineMs);
  return {
    images: runs.length,
    engineP50Ms: p50(runs.map((run) => run.engineMs)),
    endToEndP50Ms: p50(runs.map((run) => run.endToEndMs)),
    overheadP50Ms: p50(overheads),
    overheadP99Ms: p99(overheads),
  };
}
