/**
 * Pipeline overhead: time from the upload's response to the onImageLabeled
 * event, minus the engine's own time on the same image. One image at a time,
 * so neither number waits for another image.
 */
import type { BenchContext } from '../context.ts';
import { p50, p99, timed } from '../lib/stats.ts';

export async function measurePipelineOverhead(context: BenchContext, images: readonly Buffer[]) {
  const overheads: number[] = [];
  const endToEnd: number[] = [];
  const engine: number[] = [];
  for (const bytes of images) {
    const engineRun = await timed(() => context.detect(bytes));
    const ticket = await context.client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    const { ready, labeled } = context.client.watchImage(ticket.imageId);
    await ready;
    await context.client.upload(ticket, bytes);
    const uploaded = performance.now();
    const image = await labeled;
    const total = performance.now() - uploaded;
    if (image.status !== 'LABELED') throw new Error(`image ${image.id} ended ${image.status}: ${image.error}`);
    engine.push(engineRun.ms);
    endToEnd.push(total);
    overheads.push(total - engineRun.ms);
  }
  return {
    images: images.length,
    engineP50Ms: p50(engine),
    endToEndP50Ms: p50(endToEnd),
    overheadP50Ms: p50(overheads),
    overheadP99Ms: p99(overheads),
  };
}
