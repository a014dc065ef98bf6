/**
 * Throughput efficiency: images labelled per second through the whole
 * pipeline at concurrency 8, over the engine's own images per second on as
 * many other images of the same kind at the same concurrency: other pixels, as
 * the engine's analysis cache would answer the pipeline's calls on images the
 * engine-only half already analysed (local/rekognition/engine/analysis-cache.ts).
 */
import type { BenchContext } from '../context.ts';
import { mapConcurrent, timed } from '../lib/stats.ts';

export async function measureThroughput(context: BenchContext, engineImages: readonly Buffer[], pipelineImages: readonly Buffer[], concurrency: number) {
  const engine = await timed(() => mapConcurrent(engineImages, concurrency, (bytes) => context.detect(bytes)));
  const pipeline = await timed(() =>
    mapConcurrent(pipelineImages, concurrency, async (bytes) => {
      const image = await context.client.uploadAndWait(bytes);
      if (image.status !== 'LABELED') throw new Error(`image ${image.id} ended ${image.status}: ${image.error}`);
    }),
  );
  const engineRate = engineImages.length / (engine.ms / 1000);
  const pipelineRate = pipelineImages.length / (pipeline.ms / 1000);
  return { concurrency, images: pipelineImages.length, engineImagesPerSecond: engineRate, pipelineImagesPerSecond: pipelineRate, efficiency: pipelineRate / engineRate };
}
