/**
 * Faces and their attributes with @vladmandic/human, whose models ship inside
 * the npm package (models/blazeface, facemesh, faceres, emotion): nothing is
 * fetched. Runs in the engine worker, on the TensorFlow.js wasm backend the
 * object detector already started (Human's node-wasm build requires the same
 * @tensorflow packages, so one runtime serves both).
 *
 * Loaded lazily, on the first photo with a Person in it: photos without
 * people never pay for it, and the stack starts without its ~10 MB of weights.
 *
 * The face mesh runs as a check, not for its landmarks: blazeface alone finds
 * "faces" in a cat's head and a cup of coffee (0.71, 0.65 on our fixtures),
 * the mesh scores those 0 and the astronaut's face 1.
 *
 * Two stages, because faceres is most of the cost (about two thirds of a
 * one-face pass): Human runs blazeface and the mesh only, and hands back each
 * face's aligned crop; faceres and the emotion model then run on the crops of
 * the faces the caller will judge (wide enough, inside a person), not on every
 * face blazeface proposes.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Config, FaceResult, Human as HumanInstance } from '@vladmandic/human';
import { modelPixels, type LetterboxFrame, type ModelInput } from '../engine/decode.ts';
import { artifactsWithRelu6 } from '../engine/relu6-graph.ts';
import { releaseFiltersOncePacked } from '../engine/packed-filters.ts';
import { packageDirectory, readGraphModelArtifacts, startTfjs } from '../engine/tfjs-runtime.ts';
import type { DetectedFace, FoundFace } from './detected-face.ts';
import { PeopleThresholds } from './people-labels.ts';

const minDetectionScore = PeopleThresholds.minDetectionScore;

export interface FaceAnalyzer {
  /**
   * The faces in a letterboxed square; faceres and the emotion model run only on
   * the faces `judge` accepts (the others come back without maleProbability, age
   * and with happy 0).
   */
  analyze(input: ModelInput, frame: LetterboxFrame, judge: (face: FoundFace) => boolean): Promise<DetectedFace[]>;
}

const require = createRequire(import.meta.url);
/** Attributes are computed per face; a crowd is capped so one photo cannot take seconds. */
export const maxFaces = 10;

const fileScheme = 'file://';
let routerRegistered = false;

/**
 * Without tfjs-node, TensorFlow.js cannot load `file://` model URLs, and Human
 * only logs the failure and then detects nothing: serve them from disk.
 */
function registerFileLoader(tf: typeof tfTypes): void {
  if (routerRegistered) return;
  routerRegistered = true;
  // A router answers null for URLs it does not serve (tfjs's typings omit that case).
  const router = (url: string | string[]): tfTypes.io.IOHandler | null => {
    const target = Array.isArray(url) ? url[0] : url;
    if (typeof target !== 'string' || !target.startsWith(fileScheme)) return null;
    const file = target.slice(fileScheme.length);
    return {
      async load() {
        // faceres's ReLU6 chains as single Relu6 nodes: the same outputs bit for bit, for half its CPU (relu6-graph.ts).
        // No signature is carried over (as before the rewrite): a model's outputs are then the nodes no node reads,
        // which the rewrite never removes.
        return artifactsWithRelu6(await readGraphModelArtifacts(file));
      },
    };
  };
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
}

const humanConfig = (modelDirectory: string, wasmDirectory: string): Partial<Config> => ({
  backend: 'wasm',
  wasmPath: `${wasmDirectory}${path.sep}`,
  modelBasePath: `${fileScheme}${modelDirectory}${path.sep}`,
  debug: false,
  async: true,
  warmup: 'none',
  // Every call is a new photo: no frame-to-frame caching.
  cacheSensitivity: 0,
  skipAllowed: false,
  filter: { enabled: false },
  face: {
    enabled: true,
    // minConfidence is people-labels.ts's floor: a face below it is dropped anyway, so it need not be meshed.
    // return: the aligned face crops come back for the attribute models (stage two).
    detector: { rotation: false, maxDetected: maxFaces, minConfidence: minDetectionScore, return: true },
    mesh: { enabled: true },
    iris: { enabled: false },
    description: { enabled: true },
    emotion: { enabled: true },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    attention: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
});

let loading: Promise<FaceAnalyzer> | undefined;

/** The analyzer, loaded on first call and verified (the three models must be in memory). */
export function faceAnalyzer(): Promise<FaceAnalyzer> {
  loading ??= loadFaceAnalyzer();
  return loading;
}

async function loadFaceAnalyzer(): Promise<FaceAnalyzer> {
  const tf = await startTfjs();
  registerFileLoader(tf);
  const humanDirectory = packageDirectory('@vladmandic/human');
  // Its exports map hides dist/ from import(); load the node-wasm build by path.
  const { Human } = require(path.join(humanDirectory, 'dist', 'human.node-wasm.js')) as { Human: new (config: Partial<Config>) => HumanInstance };
  const human = new Human(humanConfig(path.join(humanDirectory, 'models'), path.join(packageDirectory('@tensorflow/tfjs-backend-wasm'), 'dist')));
  await human.load();
  const loaded = human.models.loaded();
  const missing = ['blazeface', 'facemesh', 'faceres', 'emotion'].filter((name) => !loaded.includes(name));
  if (missing.length > 0) throw new Error(`Human did not load ${missing.join(', ')}`);
  const faceres = human.models.models.faceres;
  const emotion = human.models.models.emotion;
  if (!faceres || !emotion) throw new Error('Human did not load faceres and emotion');
  // Each model's filters' own copies go after its first run (packed-filters.ts).
  for (const model of Object.values(human.models.models)) if (model) releaseFiltersOncePacked(model);
  // Stage one only: the attribute models are run below, on the faces worth judging.
  human.config.face.description = { ...human.config.face.description, enabled: false };
  human.config.face.emotion = { ...human.config.face.emotion, enabled: false };
  const attributesOf = attributeModels(tf, faceres, emotion);

  return {
    async analyze(input, frame, judge) {
      const batch = tf.tensor4d(modelPixels(input, false), [1, input.size, input.size, 3], 'float32');
      let result: Awaited<ReturnType<typeof human.detect>> | undefined;
      try {
        result = await human.detect(batch as unknown as tfTypes.Tensor4D);
        const faces: DetectedFace[] = [];
        for (const face of result.face) {
          const found = foundFace(face, frame);
          faces.push(face.tensor && judge(found) ? { ...found, ...(await attributesOf(face.tensor as tfTypes.Tensor3D)) } : { ...found, happy: 0 });
        }
        return faces;
      } finally {
        batch.dispose();
        for (const face of result?.face ?? []) face.tensor?.dispose();
      }
    },
  };
}

/** faceres input side, emotion input side (from the models' own input shapes). */
type Attributes = Pick<DetectedFace, 'maleProbability' | 'age' | 'happy'>;

/**
 * faceres and the emotion model on one aligned face crop (RGB, 0–1), prepared
 * as Human prepares them (its src/face/faceres.ts and src/gear/emotion.ts), so
 * the scores are the ones Human would report.
 */
function attributeModels(tf: typeof tfTypes, faceres: tfTypes.GraphModel, emotion: tfTypes.GraphModel): (crop: tfTypes.Tensor3D) => Promise<Attributes> {
  const faceresShape = faceres.inputs[0]?.shape;
  const emotionShape = emotion.inputs[0]?.shape;
  if (!faceresShape || !emotionShape) throw new Error('faceres and emotion have no input shape');
  // Human's emotion labels for this (greyscale) model, in output order.
  const happyIndex = 3;
  const greyWeights = tf.tensor1d([0.2989, 0.587, 0.114], 'float32');
  return async (crop) => {
    const outputs = tf.tidy(() => {
      const face = crop.expandDims(0) as tfTypes.Tensor4D;
      // faceres: resized to its input, 0–255.
      const resized = tf.image.resizeBilinear(face, [faceresShape[2], faceresShape[1]], false).mul(255);
      const described = faceres.execute(resized) as tfTypes.Tensor[];
      // emotion: resized, greyscale, −1…1.
      const small = tf.image.resizeBilinear(face, [emotionShape[2], emotionShape[2]], false);
      const grey = small.mul(greyWeights).sum(3, true).sub(0.5).mul(2);
      const feelings = emotion.execute(grey) as tfTypes.Tensor;
      return { gender: described.find((tensor) => tensor.shape[1] === 1), ages: described.find((tensor) => tensor.shape[1] === 100), feelings };
    });
    try {
      const male = outputs.gender ? (await outputs.gender.data())[0] : undefined;
      const ages = outputs.ages ? await outputs.ages.data() : undefined;
      const happy = (await outputs.feelings.data())[happyIndex] ?? 0;
      return { maleProbability: male === undefined || Number.isNaN(male) ? undefined : male, age: ages ? ageOf(ages) : undefined, happy };
    } finally {
      tf.dispose([outputs.gender, outputs.ages, outputs.feelings].filter((tensor) => tensor !== undefined));
    }
  };
}

/** Human's reading of faceres' 100 age bins: the most likely bin, pulled toward its likelier neighbour. */
function ageOf(bins: ArrayLike<number>): number | undefined {
  let best = 0;
  for (let index = 1; index < bins.length; index++) if (bins[index] > bins[best]) best = index;
  const below = bins[best - 1] ?? 0;
  const above = bins[best + 1] ?? 0;
  const age = Math.round(below > above ? 10 * best - 100 * below : 10 * best + 100 * above) / 10;
  return Number.isFinite(age) && age > 0 ? age : undefined;
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));

function foundFace(face: FaceResult, frame: LetterboxFrame): FoundFace {
  // boxRaw: [x, y, width, height] as ratios of the letterboxed square; back to the source image.
  const [x, y, width, height] = face.boxRaw;
  const left = clamp((x * frame.size - frame.left) / frame.width);
  const top = clamp((y * frame.size - frame.top) / frame.height);
  const right = clamp(((x + width) * frame.size - frame.left) / frame.width);
  const bottom = clamp(((y + height) * frame.size - frame.top) / frame.height);
  return { box: { left, top, width: right - left, height: bottom - top }, detectionScore: face.boxScore, meshScore: face.faceScore };
}
