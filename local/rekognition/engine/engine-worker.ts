/**
 * Worker thread that owns the models: loads them once, then analyses one
 * image at a time (the wasm backend is single-threaded anyway), so inference
 * never blocks the main thread's event loop. Every call is validated and
 * decoded; the model passes are skipped for pixels and tasks it analysed
 * before (analysis-cache.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AnalysisCache, analysisKey, cachedMaxPixels, throughCache } from './analysis-cache.ts';
import { decodeImage, ImageDecodeError, type DecodedImage } from './decode.ts';
import type { EngineWorkerData, FromWorker, ImageAnalysis, ToWorker } from './messages.ts';
import { loadModerationClassifier } from './moderation-classifier.ts';
import { needsPersonCheck } from '../moderation.ts';
import { loadObjectDetector } from './object-detector.ts';
import { facesOfPeople } from '../faces/faces-of-people.ts';

if (!parentPort) throw new Error('engine-worker.ts must run in a worker thread');
const port = parentPort;
const { maxPixels, analysisCacheBytes } = workerData as EngineWorkerData;
const analyses = new AnalysisCache<ImageAnalysis>(analysisCacheBytes);
const post = (message: FromWorker) => port.postMessage(message);

const started = performance.now();
const models = Promise.all([loadObjectDetector(), loadModerationClassifier()]);
models.then(
  () => post({ type: 'ready', info: { loadMs: Math.round(performance.now() - started), models: ['centernet (COCO-80)', 'nsfwjs MobileNetV2', 'nsfwjs MobileNetV2Mid (loads on first need)'] } }),
  (error: unknown) => post({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);

/** The analysis cache's key for this image and these tasks; none when the cache is off or the image too large. */
async function cacheKey(image: DecodedImage, message: ToWorker): Promise<string | undefined> {
  if (analysisCacheBytes <= 0 || image.width * image.height > cachedMaxPixels) return undefined;
  // A file whose full-size decode fails is analysed uncached, so it fails (or not) exactly as it did without a cache.
  const digest = await image.pixelDigest().catch(() => undefined);
  return digest === undefined ? undefined : analysisKey(digest, message.tasks);
}

/** Validation and decoding run on every call; the model passes only when these pixels and tasks are not cached. */
async function analyzeOrRecall(message: ToWorker): Promise<{ readonly value: ImageAnalysis; readonly cached: boolean }> {
  const image = await decodeImage(message.bytes, { maxPixels });
  const began = performance.now();
  const { value, cached } = await throughCache(analyses, await cacheKey(image, message), () => analyze(image, message));
  return { value: cached ? { ...value, inferenceMs: Math.round(performance.now() - began) } : value, cached };
}

async function analyze(image: DecodedImage, message: ToWorker): Promise<ImageAnalysis> {
  const [detector, classifier] = await models;
  const began = performance.now();
  let objects: ImageAnalysis['objects'];
  let nsfw: ImageAnalysis['nsfw'];
  let faces: ImageAnalysis['faces'];
  if (message.tasks.objects) {
    objects = await detector.detect(image);
    // Faces run on the image letterboxed at the detector's size; nothing runs (or loads) without a person.
    if (message.tasks.faces) faces = await facesOfPeople(() => image.letterboxed(detector.inputSize), objects, image);
  }
  if (message.tasks.moderation) {
    const verdicts = await classifier.classify(await image.stretched(classifier.inputSize));
    // The person check is moderation's third signal; only images both nsfwjs models find suspect pay for it.
    nsfw = verdicts.second && needsPersonCheck(verdicts) ? { ...verdicts, person: await detector.bestPersonScore(image) } : verdicts;
  }
  return { width: image.width, height: image.height, format: image.format, objects, nsfw, faces, inferenceMs: Math.round(performance.now() - began) };
}

// One at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    try {
      const { value, cached } = await analyzeOrRecall(message);
      post({ type: 'analysis', id: message.id, analysis: value, cached });
    } catch (error) {
      const problem = error instanceof ImageDecodeError ? error.problem : 'internal';
      post({ type: 'rejected', id: message.id, problem, message: error instanceof Error ? error.message : String(error) });
    }
  });
});
