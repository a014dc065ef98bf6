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
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Config, FaceResult, Human as HumanInstance } from '@vladmandic/human';
import type { LetterboxFrame, ModelInput } from '../engine/decode.ts';
import { packageDirectory, startTfjs } from '../engine/tfjs-runtime.ts';

/** A face found in the image, with what the models say about it; scores 0–1 as the models give them. */
export interface DetectedFace {
  /** 0–1 ratios of the source image, clamped. */
  readonly box: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
  /** blazeface's score. */
  readonly detectionScore: number;
  /** facemesh's score: how face-like the region is. */
  readonly meshScore: number;
  /** faceres: probability the face is a man's (0.5 = unsure); undefined when the model gave none. */
  readonly maleProbability?: number;
  /** The emotion model's "happy" score. */
  readonly happy: number;
}

export interface FaceAnalyzer {
  analyze(input: ModelInput, frame: LetterboxFrame): Promise<DetectedFace[]>;
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
        const modelJson = JSON.parse(await readFile(file, 'utf8')) as tfTypes.io.ModelJSON;
        const shards = await Promise.all(modelJson.weightsManifest.flatMap((group) => group.paths).map((shard) => readFile(path.join(path.dirname(file), shard))));
        return {
          modelTopology: modelJson.modelTopology,
          format: modelJson.format,
          generatedBy: modelJson.generatedBy,
          convertedBy: modelJson.convertedBy,
          weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
          weightData: new Uint8Array(Buffer.concat(shards)).buffer,
        };
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
    detector: { rotation: false, maxDetected: maxFaces, minConfidence: 0.5, return: false },
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

  return {
    async analyze(input, frame) {
      const batch = tf.tidy(() => tf.tensor3d(input.pixels, [input.size, input.size, 3], 'int32').toFloat().expandDims(0));
      try {
        const result = await human.detect(batch as unknown as tfTypes.Tensor4D);
        return result.face.map((face) => toDetectedFace(face, frame));
      } finally {
        batch.dispose();
      }
    },
  };
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));

function toDetectedFace(face: FaceResult, frame: LetterboxFrame): DetectedFace {
  // boxRaw: [x, y, width, height] as ratios of the letterboxed square; back to the source image.
  const [x, y, width, height] = face.boxRaw;
  const left = clamp((x * frame.size - frame.left) / frame.width);
  const top = clamp((y * frame.size - frame.top) / frame.height);
  const right = clamp(((x + width) * frame.size - frame.left) / frame.width);
  const bottom = clamp(((y + height) * frame.size - frame.top) / frame.height);
  // Human reports the more likely gender and genderScore = 2·|p − 0.5| (its faceres decoding).
  const genderScore = face.genderScore ?? 0;
  const maleProbability =
    face.gender === 'male' ? 0.5 + genderScore / 2 : face.gender === 'female' ? 0.5 - genderScore / 2 : undefined;
  return {
    box: { left, top, width: right - left, height: bottom - top },
    detectionScore: face.boxScore,
    meshScore: face.faceScore,
    maleProbability,
    happy: face.emotion?.find((emotion) => emotion.emotion === 'happy')?.score ?? 0,
  };
}
