/**
 * Worker thread that owns the models: loads them once, then analyses one
 * image at a time (the wasm backend is single-threaded anyway), so inference
 * never blocks the main thread's event loop. Every call is validated and
 * decoded; the model passes are skipped for pixels and tasks it analysed
 * before (analysis-cache.ts), and for objects without faces of pixels it
 * analysed with faces.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AnalysisCache, analysisKey, cachedMaxPixels, throughCache } from './analysis-cache.ts';
import { ImageDecodeError } from '../errors.ts';
import { decodeImage, type DecodedImage } from './decode.ts';
import type { AnalysisTasks, EngineWorkerData, FromWorker, ImageAnalysis, ToWorker } from './messages.ts';
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

/** The digest the analysis cache keys this image by; none when the cache is off or the image too large. */
async function cacheDigest(image: DecodedImage): Promise<string | undefined> {
  if (analysisCacheBytes <= 0 || image.width * image.height > cachedMaxPixels) return undefined;
  // A file whose full-size decode fails is analysed uncached, so it fails (or not) exactly as it did without a cache.
  return image.pixelDigest().catch(() => undefined);
}

/**
 * The objects of these pixels kept from an analysis that also asked for faces, for a request of objects without
 * faces: analyze() detects the objects first, and the faces pass only reads them, so that analysis less its faces is
 * the one this request would get (DetectLabels asks for faces; IMAGE_PROPERTIES alone does not).
 */
function recalledWithoutFaces(digest: string, tasks: AnalysisTasks): ImageAnalysis | undefined {
  if (!tasks.objects || tasks.faces) return undefined;
  const withFaces = analyses.get(analysisKey(digest, { ...tasks, faces: true }));
  return withFaces && { ...withFaces, faces: undefined };
}

/** Validation and decoding run on every call; the model passes only when these pixels and tasks are not cached. */
async function analyzeOrRecall(message: ToWorker): Promise<{ readonly value: ImageAnalysis; readonly cached: boolean }> {
  const image = await decodeImage(message.bytes, { maxPixels });
  const began = performance.now();
  const digest = await cacheDigest(image);
  const recalled = digest === undefined ? undefined : recalledWithoutFaces(digest, message.tasks);
  const { value, cached } = recalled
    ? { value: recalled, cached: true }
    : await throughCache(analyses, digest === undefined ? undefined : analysisKey(digest, message.tasks), () => analyze(image, message));
  return { value: cached ? { ...value, inferenceMs: Math.round(performance.now() - began) } : value, cached };
}

async function analyze(image: DecodedImage, message: ToWorker): Promise<ImageAnalysis> {
  const [detector, classifier] = await models;
  const began = performance.now();
  let objects: ImageAnalysis['objects'];
  let nsfw: ImageAnalysis['nsfw'];
  let faces: ImageAnalysis['faces'];
  if (message.tasks.objects) {
    // The objects pass never depends on the faces pass (or on whether it runs): recalledWithoutFaces relies on it,
    // answering objects without faces from an analysis with them.
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
