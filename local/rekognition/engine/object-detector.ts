/**
 * COCO-80 object detection with the CenterNet (MobileNetV3) graph model that
 * ships inside `@vladmandic/human` (models/centernet.json + .bin), loaded from
 * disk straight into TensorFlow.js; Human itself is not used.
 *
 * Input: 512×512 RGB in 0–255, letterboxed (Human stretches the image instead,
 * which turned the cat fixture into a "dog"; with the aspect kept it is a cat
 * at 0.52 and dog drops to 0.25). The image and its mirror are fused (see
 * fusion.ts); zoomed-out views run when those find nothing sure (tiles for a
 * crowd are built but off, see views.ts); scores are calibrated per class
 * (calibration.ts).
 */
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { calibratedConfidence } from './calibration.ts';
import { cocoClassNames, type CocoClassName } from './model-classes.ts';
import { modelPixels, type DecodedImage, type LetterboxFrame, type ModelInput, type ViewSpec } from './decode.ts';
import type { Box, RawDetection } from './fusion.ts';
import { combineViews, crowdedClasses, fuseBase, needsZoomOut, tileRegions, viewPolicy, type ViewPolicy, type ViewRuns } from './views.ts';
import { releaseFiltersOncePacked } from './packed-filters.ts';
import { packageDirectory, readGraphModelArtifacts, startTfjs } from './tfjs-runtime.ts';

export interface DetectedObject {
  readonly className: CocoClassName;
  /** Fused raw score, 0–1. */
  readonly score: number;
  /** Calibrated, 0–100. */
  readonly confidence: number;
  /** 0–1 ratios of the source image, clamped. */
  readonly box: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
}

export interface ObjectDetector {
  readonly inputSize: number;
  detect(image: DecodedImage): Promise<DetectedObject[]>;
  /** Best raw person score of the plain letterboxed view alone (moderation's second signal). */
  bestPersonScore(image: DecodedImage): Promise<number>;
  /** The raw views a policy runs, unfused: for fitting (bench/labels-fit.ts). */
  views(image: DecodedImage, policy?: ViewPolicy): Promise<ViewRuns>;
  /** Raw detections of one view, boxes in the source image's frame: for recording candidate views (bench/labels-record-views.ts). */
  detectView(image: DecodedImage, spec: ViewSpec, mirrored?: boolean): Promise<RawDetection[]>;
}

const detectionsOutput = 'tower_0/detections';
/** Peaks below this are noise on every fixture; dropping them keeps fusion cheap. */
const minRawScore = 0.05;

export async function loadObjectDetector(): Promise<ObjectDetector> {
  const tf = await startTfjs();
  // Typed as any artifacts: their weightData is deleted below.
  const artifacts: tfTypes.io.ModelArtifacts = await readGraphModelArtifacts(path.join(packageDirectory('@vladmandic/human'), 'models', 'centernet.json'));
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  // The weights are in the wasm backend's memory now. The model keeps the artifacts it was loaded from (for save(),
  // which nothing here calls): without this, its 4 MB copy of the weights would stay in the worker's memory for good.
  delete artifacts.weightData;
  // Its filters' own copies go once packed, on the verification run below (packed-filters.ts).
  releaseFiltersOncePacked(model);
  const inputShape = model.inputs[0]?.shape;
  const inputSize = inputShape?.[1];
  if (typeof inputSize !== 'number' || inputSize <= 0) throw new Error(`centernet has an unexpected input shape ${JSON.stringify(inputShape)}`);

  const runView = async (input: ModelInput, mirrored: boolean): Promise<number[][]> => {
    const batch = tf.tensor4d(modelPixels(input, mirrored), [1, input.size, input.size, 3], 'float32');
    const output = model.execute(batch, detectionsOutput) as tfTypes.Tensor;
    try {
      return ((await output.array()) as number[][][])[0] ?? [];
    } finally {
      tf.dispose([batch, output]);
    }
  };

  const toDetections = (rows: number[][], frame: LetterboxFrame, mirrored: boolean): RawDetection[] =>
    rows
      .filter((row) => row[4] >= minRawScore && Number.isInteger(row[5]) && row[5] >= 0 && row[5] < cocoClassNames.length)
      .map((row) => {
        const [x1, y1, x2, y2] = mirrored ? [frame.size - row[2], row[1], frame.size - row[0], row[3]] : row;
        // Model pixels → ratios of the part shown → ratios of the source image.
        const { crop } = frame;
        const box: Box = {
          x1: crop.left + ((x1 - frame.left) / frame.width) * crop.width,
          y1: crop.top + ((y1 - frame.top) / frame.height) * crop.height,
          x2: crop.left + ((x2 - frame.left) / frame.width) * crop.width,
          y2: crop.top + ((y2 - frame.top) / frame.height) * crop.height,
        };
        return { classIndex: row[5], score: row[4], box };
      });

  const runFramed = async (image: DecodedImage, spec: ViewSpec, mirrored: boolean): Promise<RawDetection[]> => {
    const { input, frame } = await image.view(inputSize, spec);
    return toDetections(await runView(input, mirrored), frame, mirrored);
  };
  const baseViews = async (image: DecodedImage) => [await runFramed(image, {}, false), await runFramed(image, {}, true)];
  const tileViews = async (image: DecodedImage) => {
    const tiles: RawDetection[][] = [];
    for (const crop of tileRegions()) tiles.push(await runFramed(image, { crop }, false));
    return tiles;
  };

  const detector: ObjectDetector = {
    inputSize,
    async views(image, policy = viewPolicy) {
      const base = await baseViews(image);
      const fused = fuseBase(base);
      const zoomOut = needsZoomOut(fused, policy);
      const zoom = zoomOut ? await runFramed(image, { fill: policy.zoomFill }, false) : undefined;
      const zoomFar = zoomOut ? await runFramed(image, { fill: policy.zoomFarFill }, false) : undefined;
      const tiles = crowdedClasses(fused, policy).size > 0 ? await tileViews(image) : undefined;
      return { base, zoom, zoomFar, tiles };
    },
    detectView: (image, spec, mirrored = false) => runFramed(image, spec, mirrored),
    async detect(image) {
      return combineViews(await detector.views(image)).map((detection) => {
        const className = cocoClassNames[detection.classIndex];
        return { className, score: detection.score, confidence: calibratedConfidence(detection.score, className), box: clampedBox(detection.box) };
      });
    },
    async bestPersonScore(image) {
      const person = cocoClassNames.indexOf('person');
      return Math.max(0, ...(await runFramed(image, {}, false)).filter((detection) => detection.classIndex === person).map((detection) => detection.score));
    },
  };

  // Verify the weights really loaded: a blank image must run and give the documented output shape.
  const size = inputSize;
  const blank: ModelInput = { pixels: new Uint8Array(size * size * 3), size };
  const rows = await runView(blank, false);
  if (rows.length === 0 || rows[0]?.length !== 6) throw new Error(`centernet gave an unexpected output shape [${rows.length}, ${rows[0]?.length}]`);
  return detector;
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));

function clampedBox(box: Box): DetectedObject['box'] {
  const left = clamp(box.x1);
  const top = clamp(box.y1);
  return { left, top, width: clamp(box.x2) - left, height: clamp(box.y2) - top };
}
