/**
 * object-detector.ts: once loaded, centernet's weights live in the wasm backend's memory only. TensorFlow.js keeps the
 * artifacts a graph model was loaded from, so a JavaScript copy of the 4 MB of weights would otherwise stay for the
 * life of the engine's worker. (That the detections are unchanged is labels.test.ts's part.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadObjectDetector } from '../../local/rekognition/engine/object-detector.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const arrayBufferBytes = () => {
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
};

describe('Function: loadObjectDetector', () => {
  // Loads TensorFlow.js's wasm backend and centernet: seconds of CPU on 2 shared cores.
  it('keeps no copy of the weights outside the wasm backend once loaded', { timeout: 60_000 }, async () => {
    // Prepare
    const before = arrayBufferBytes();

    // Act
    const detector = await loadObjectDetector();

    // Assess: centernet's weights are 4 MB; what is left is well under one of them
    expect(detector.inputSize).toBe(512);
    expect(arrayBufferBytes() - before).toBeLessThan(1024 * 1024);
  });
});
