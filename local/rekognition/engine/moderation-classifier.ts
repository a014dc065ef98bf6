/**
 * NSFW classification with nsfwjs's MobileNetV2, whose weights ship inside the
 * npm package as JS modules (nothing is fetched).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { nsfwClassNames, type NsfwClassName } from './model-classes.ts';
import type { ModelInput } from './decode.ts';
import { startTfjs } from './tfjs-runtime.ts';

export type NsfwScores = Readonly<Record<NsfwClassName, number>>;

export interface ModerationClassifier {
  readonly inputSize: number;
  classify(input: ModelInput): Promise<NsfwScores>;
}

export async function loadModerationClassifier(): Promise<ModerationClassifier> {
  const tf = await startTfjs();
  const nsfwjs = await import('nsfwjs');
  // nsfwjs logs an advert for hosting your own model on every load.
  const info = console.info;
  console.info = () => undefined;
  const model = await nsfwjs.load('MobileNetV2').finally(() => {
    console.info = info;
  });
  const inputSize = 224;

  const classifier: ModerationClassifier = {
    inputSize,
    async classify(input) {
      const image = tf.tensor3d(input.pixels, [input.size, input.size, 3], 'int32') as tfTypes.Tensor3D;
      try {
        const predictions = await model.classify(image, nsfwClassNames.length);
        const scores = Object.fromEntries(nsfwClassNames.map((name) => [name, 0])) as Record<NsfwClassName, number>;
        for (const prediction of predictions) {
          const className = prediction.className as string;
          if ((nsfwClassNames as readonly string[]).includes(className)) scores[className as NsfwClassName] = prediction.probability;
        }
        return scores;
      } finally {
        image.dispose();
      }
    },
  };

  // Verify: the five probabilities of a blank image must sum to ~1.
  const blank = await classifier.classify({ pixels: new Uint8Array(inputSize * inputSize * 3), size: inputSize });
  const total = Object.values(blank).reduce((sum, value) => sum + value, 0);
  if (!(Math.abs(total - 1) < 0.01)) throw new Error(`nsfwjs gave probabilities summing to ${total}`);
  return classifier;
}
