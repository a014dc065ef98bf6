/**
 * Run as a worker of its own by engine-wasm-heap.test.ts: loads the models as the engine's worker does, analyses a
 * photo of people (the face models load and run) and then one that needs nsfwjs's second model (it loads and runs),
 * the engine's calls in its order, and posts the wasm heap's size. A thread of its own, because the heap is one per
 * TensorFlow.js instance and the test workers share theirs across files (vitest's isolate: false).
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { decodeImage } from '../../../local/rekognition/engine/decode.ts';
import { loadModerationClassifier } from '../../../local/rekognition/engine/moderation-classifier.ts';
import { loadObjectDetector } from '../../../local/rekognition/engine/object-detector.ts';
import { startTfjs } from '../../../local/rekognition/engine/tfjs-runtime.ts';
import { facesOfPeople } from '../../../local/rekognition/faces/faces-of-people.ts';

const photos = ['astronaut.jpg', 'eval/gc-erase-dolphin.jpg'].map((name) => new URL(`../../fixtures/${name}`, import.meta.url));

const tf = await startTfjs();
const [detector, classifier] = await Promise.all([loadObjectDetector(), loadModerationClassifier()]);
const steps: { photo: string; faces: number | undefined; secondOpinion: boolean }[] = [];
for (const photo of photos) {
  const image = await decodeImage(readFileSync(photo), { maxPixels: 100_000_000 });
  const objects = await detector.detect(image);
  const faces = await facesOfPeople(() => image.letterboxed(detector.inputSize), objects, image);
  const verdicts = await classifier.classify(await image.stretched(classifier.inputSize));
  steps.push({ photo: photo.pathname.split('/').pop() ?? '', faces: faces?.length, secondOpinion: verdicts.second !== undefined });
}
// The emscripten module's heap (the backend's typings leave it out).
const { HEAPU8 } = (tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array };
parentPort?.postMessage({ steps, heapBytes: HEAPU8.buffer.byteLength });
