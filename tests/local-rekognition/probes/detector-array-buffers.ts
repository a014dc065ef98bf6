/**
 * Run as a worker of its own by object-detector-memory.test.ts: loads the object detector and posts how many bytes of
 * ArrayBuffers the load left behind, after a full collection. A thread of its own, because the test workers run many
 * files in one isolate (vitest's isolate: false), whose leftovers would allocate and free buffers meanwhile.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { loadObjectDetector } from '../../../local/rekognition/engine/object-detector.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const arrayBufferBytes = () => {
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
};

/**
 * The fewest bytes held over a few collections a moment apart: a buffer the load still has in flight (a file read's
 * chunk, a callback not yet run on a busy machine) is gone by a later one, while a kept copy of the weights is in
 * every one. Under load a single collection right after the load counted 3.9 MB of such buffers once.
 */
async function settledArrayBufferBytes(): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 4; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    fewest = Math.min(fewest, arrayBufferBytes());
  }
  return fewest;
}

const before = await settledArrayBufferBytes();
const detector = await loadObjectDetector();
parentPort?.postMessage({ inputSize: detector.inputSize, leftBytes: (await settledArrayBufferBytes()) - before });
