/**
 * NSFW classification with the two small nsfwjs models, whose weights ship
 * inside the npm package as JS modules (nothing is fetched): MobileNetV2 on
 * every image, and MobileNetV2Mid only when the first sees something other
 * than an ordinary photo, so a moderation label can rest on two models while
 * most images pay for one (see ../moderation.ts).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { NSFWJS } from 'nsfwjs';
import { nsfwClassNames, type NsfwClassName } from './model-classes.ts';
import type { ModelInput } from './decode.ts';
import { startTfjs } from './tfjs-runtime.ts';

export type NsfwScores = Readonly<Record<NsfwClassName, number>>;

export interface NsfwVerdicts {
  readonly primary: NsfwScores;
  /** Absent when the primary model saw nothing worth a second look. */
  readonly second?: NsfwScores;
}

export interface ModerationClassifier {
  readonly inputSize: number;
  classify(input: ModelInput): Promise<NsfwVerdicts>;
}

/**
 * The second model runs when the first gives Porn, Hentai or Sexy together at
 * least this much. Low on purpose: the second model can only take labels
 * away (the weaker probability counts), so a low gate costs time, not flags.
 */
export const secondOpinionGate = 0.3;

const inputSize = 224;

export async function loadModerationClassifier(): Promise<ModerationClassifier> {
  const tf = await startTfjs();
  const nsfwjs = await import('nsfwjs');
  // nsfwjs logs an advert for hosting your own model on every load.
  const info = console.info;
  console.info = () => undefined;
  const [primaryModel, secondModel] = await Promise.all([nsfwjs.load('MobileNetV2'), nsfwjs.load('MobileNetV2Mid')]).finally(() => {
    console.info = info;
  });

  const run = async (model: NSFWJS, input: ModelInput): Promise<NsfwScores> => {
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
  };

  const classifier: ModerationClassifier = {
    inputSize,
    async classify(input) {
      const primary = await run(primaryModel, input);
      if (primary.Porn + primary.Hentai + primary.Sexy < secondOpinionGate) return { primary };
      return { primary, second: await run(secondModel, input) };
    },
  };

  // Verify both: the five probabilities of a blank image must sum to ~1.
  const blank: ModelInput = { pixels: new Uint8Array(inputSize * inputSize * 3), size: inputSize };
  for (const model of [primaryModel, secondModel]) {
    const total = Object.values(await run(model, blank)).reduce((sum, value) => sum + value, 0);
    if (!(Math.abs(total - 1) < 0.01)) throw new Error(`nsfwjs gave probabilities summing to ${total}`);
  }
  return classifier;
}
