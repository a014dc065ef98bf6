/**
 * NSFW classification with the two small nsfwjs models, whose weights ship
 * inside the npm package as JS modules (nothing is fetched): MobileNetV2 on
 * every image, and MobileNetV2Mid only when the first sees something other
 * than an ordinary photo, so a moderation label can rest on two models while
 * most images pay for one (see ../moderation.ts).
 *
 * MobileNetV2 loads (and is verified) with the engine; MobileNetV2Mid on the
 * first image that needs it, verified the same way: it runs on 2 of the 149
 * photos of tests/fixtures/eval, and loading it with the others cost every
 * stack start and test worker about 0.7 s of CPU (a quarter of the engine's
 * load: 2.4–2.8 s → 1.8–2.1 s, measured per thread of the process).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { NSFWJS } from 'nsfwjs';
import { nsfwClassNames, type NsfwClassName } from './model-classes.ts';
import type { ModelInput } from './decode.ts';
import { onFirstNeed } from './on-first-need.ts';
import { releasingFiltersOfLoad } from './packed-filters.ts';
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

/** The two nsfwjs models, by the names nsfwjs.load() takes. */
export const NsfwModel = { primary: 'MobileNetV2', second: 'MobileNetV2Mid' } as const;
type NsfwModelName = (typeof NsfwModel)[keyof typeof NsfwModel];

export async function loadModerationClassifier(): Promise<ModerationClassifier> {
  const tf = await startTfjs();
  const nsfwjs = await import('nsfwjs');

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

  /** A model loaded and verified: the five probabilities of a blank image must sum to ~1. */
  const loadVerified = async (name: NsfwModelName): Promise<NSFWJS> => {
    // nsfwjs logs an advert for hosting your own model on every load.
    const info = console.info;
    console.info = () => undefined;
    // nsfwjs runs the model once inside load(): its filters' own copies go on that run (packed-filters.ts).
    const model = await releasingFiltersOfLoad(() => nsfwjs.load(name)).finally(() => {
      console.info = info;
    });
    const blank: ModelInput = { pixels: new Uint8Array(inputSize * inputSize * 3), size: inputSize };
    const total = Object.values(await run(model, blank)).reduce((sum, value) => sum + value, 0);
    if (!(Math.abs(total - 1) < 0.01)) throw new Error(`nsfwjs ${name} gave probabilities summing to ${total}`);
    return model;
  };

  const primaryModel = await loadVerified(NsfwModel.primary);
  // Loaded once, on first need; a failed load fails that image's analysis (an internal error), and the next image
  // that needs the model loads it again.
  const secondModel = onFirstNeed(() => loadVerified(NsfwModel.second));

  return {
    inputSize,
    async classify(input) {
      const primary = await run(primaryModel, input);
      if (primary.Porn + primary.Hentai + primary.Sexy < secondOpinionGate) return { primary };
      return { primary, second: await run(await secondModel(), input) };
    },
  };
}
