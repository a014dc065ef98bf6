/**
 * object-detector.ts: once loaded, centernet's weights live in the wasm backend's memory only. TensorFlow.js keeps the
 * artifacts a graph model was loaded from, so a JavaScript copy of the 4 MB of weights would otherwise stay for the
 * life of the engine's worker. (That the detections are unchanged is labels.test.ts's part.) Measured in a worker of
 * its own (probes/detector-array-buffers.ts), where nothing else allocates meanwhile.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { tsxWorkerScript } from '../../local/rekognition/engine/worker-start.ts';

describe('Function: loadObjectDetector', () => {
  // Loads TensorFlow.js's wasm backend and centernet: seconds of CPU on 2 shared cores.
  it('keeps no copy of the weights outside the wasm backend once loaded', { timeout: 60_000 }, async () => {
    // Act
    const probe = pathToFileURL(new URL('probes/detector-array-buffers.ts', import.meta.url).pathname).href;
    const worker = new Worker(tsxWorkerScript(probe), { eval: true });
    const result = await new Promise<{ inputSize: number; leftBytes: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();

    // Assess: centernet's weights are 4 MB; what is left is well under one of them
    expect(result.inputSize).toBe(512);
    expect(result.leftBytes).toBeLessThan(1024 * 1024);
  });
});
