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

const before = arrayBufferBytes();
const detector = await loadObjectDetector();
parentPort?.postMessage({ inputSize: detector.inputSize, leftBytes: arrayBufferBytes() - before });
