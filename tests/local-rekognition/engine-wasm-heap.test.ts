/**
 * packed-filters.ts through the engine's models: once XNNPACK has packed a convolution's filter, the filter's own
 * copy leaves the wasm heap, which then holds later calls' activations instead of growing for them. A wasm heap
 * never shrinks, so what it grows to is the engine's RSS for good. Measured in a worker of its own
 * (probes/engine-wasm-heap.ts), after a photo of people and one that needs nsfwjs's second model, the sequence
 * that grew it most before (that the outputs are unchanged is labels.test.ts's and people.test.ts's part).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { tsxWorkerScript } from '../../local/rekognition/engine/worker-start.ts';

const mib = 1024 * 1024;

describe('Function: releaseFiltersOncePacked (the engine’s models)', () => {
  // Loads every model and runs two photos: seconds of CPU on 2 shared cores.
  it('keeps the wasm heap under 180 MiB after a photo of people and one that needs the second nsfwjs model', { timeout: 120_000 }, async () => {
    // Act
    const probe = pathToFileURL(new URL('probes/engine-wasm-heap.ts', import.meta.url).pathname).href;
    const worker = new Worker(tsxWorkerScript(probe), { eval: true });
    const result = await new Promise<{ steps: { photo: string; faces?: number; secondOpinion: boolean }[]; heapBytes: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();

    // Assess: the photos took the paths that load the lazy models; the heap grows in steps of a fifth (emscripten's
    // policy): 161.9 MiB with the filters freed, 194.3 (the next step) with them kept
    expect(result.steps).toEqual([
      { photo: 'astronaut.jpg', faces: 1, secondOpinion: false },
      { photo: 'gc-erase-dolphin.jpg', faces: undefined, secondOpinion: true },
    ]);
    expect(result.heapBytes / mib).toBeLessThan(180);
  });
});
