/**
 * Maps nsfwjs's five classes onto Rekognition's content moderation taxonomy
 * (model version 7: three levels, L1 "Explicit" > L2 "Explicit Nudity", ...),
 * by meaning:
 *
 *   Porn (+ Hentai) -> L1 Explicit, L2 Explicit Nudity
 *   Sexy            -> L1 Swimwear or Underwear (version 6.1's "Suggestive" /
 *                      "Female Swimwear Or Underwear" maps here in AWS's own
 *                      6.1 -> 7 table); nsfwjs cannot tell female from male,
 *                      so no L2 is claimed. It is NOT nudity: nsfwjs's "Sexy"
 *                      is swimwear, lingerie, low necklines.
 *   Drawing + Hentai -> content type "Illustrated" (not a moderation label)
 *   Neutral         -> nothing
 *
 * Not crying wolf: a raw nsfwjs probability is not a confidence. On ordinary
 * photos MobileNetV2 alone put 0.5–0.9 on Porn or Sexy for a red apple, a
 * close-up face or a bar scene. So a label needs more than one signal:
 *   1. both nsfwjs models in the package (MobileNetV2, and MobileNetV2Mid,
 *      which the engine runs, and loads, only when the first sees something),
 *      and the weaker of the two is what counts;
 *   2. a person found by the object detector (centernet), for Porn and Sexy;
 *      Hentai (drawn) content needs no person.
 * The agreed probability is then calibrated (anchors below): it reaches
 * Rekognition's default MinConfidence of 50 only where both models are
 * sure, which none of the ordinary photos of tests/fixtures/eval reached.
 */
import type { ContentType, ModerationLabel } from '@aws-sdk/client-rekognition';
import type { NsfwScores } from './engine/moderation-classifier.ts';

export const moderationModelVersion = '7.0';

export const ModerationLabelName = {
  explicit: 'Explicit',
  explicitNudity: 'Explicit Nudity',
  swimwearOrUnderwear: 'Swimwear or Underwear',
} as const;

export const ContentTypeName = { illustrated: 'Illustrated' } as const;

/** What the engine saw that bears on moderation. */
export interface ModerationSignals {
  /** nsfwjs MobileNetV2, always run. */
  readonly primary: NsfwScores;
  /** nsfwjs MobileNetV2Mid; absent when the primary model saw nothing worth a second look. */
  readonly second?: NsfwScores;
  /** Best raw person score (0–1) of the object detector; absent when it was not run. */
  readonly person?: number;
}

export interface ModerationResult {
  readonly ModerationLabels: ModerationLabel[];
  readonly ContentTypes: ContentType[];
}

/** A person needs at least this raw detector score to count as the second signal. */
export const minPersonScore = 0.25;

/**
 * Agreed probability (the weaker model's) → confidence 0–100. Monotone,
 * piecewise linear. Fitted on the fit half of tests/fixtures/eval, whose
 * highest agreed probabilities on ordinary photos stayed below 0.6: 0.75
 * agreed is put at 50. nsfwjs's own published figures (MobileNetV2 ~93%
 * accuracy on its test set) are for a single model's argmax; two models
 * agreeing above 0.75 is what an explicit image gives them both.
 */
const anchors: readonly (readonly [agreed: number, confidence: number])[] = [
  [0, 0],
  [0.5, 20],
  [0.75, 50],
  [0.9, 85],
  [1, 99],
] as const;

export function moderationConfidence(agreed: number): number {
  if (!Number.isFinite(agreed) || agreed <= 0) return 0;
  if (agreed >= 1) return anchors[anchors.length - 1][1];
  for (let index = 1; index < anchors.length; index += 1) {
    const [high, highConfidence] = anchors[index];
    if (agreed <= high) {
      const [low, lowConfidence] = anchors[index - 1];
      return lowConfidence + ((agreed - low) / (high - low)) * (highConfidence - lowConfidence);
    }
  }
  return anchors[anchors.length - 1][1];
}

/** The weaker of the two models' probabilities; 0 without the second model. */
function agreed(signals: ModerationSignals, pick: (scores: NsfwScores) => number): number {
  return signals.second ? Math.min(pick(signals.primary), pick(signals.second)) : 0;
}

export function moderationFromNsfw(signals: ModerationSignals, minConfidence: number): ModerationResult {
  const personSeen = (signals.person ?? 0) >= minPersonScore;
  // Drawn explicit content (Hentai) stands without a person; photographed (Porn) needs one.
  const explicitRaw = Math.max(agreed(signals, (scores) => scores.Hentai), personSeen ? agreed(signals, (scores) => scores.Porn + scores.Hentai) : 0);
  const explicit = moderationConfidence(explicitRaw);
  const swimwear = personSeen ? moderationConfidence(agreed(signals, (scores) => scores.Sexy)) : 0;
  const illustrated = Math.min(100, Math.max(0, (signals.primary.Drawing + signals.primary.Hentai) * 100));

  const labels: ModerationLabel[] = [
    { Confidence: explicit, Name: ModerationLabelName.explicit, ParentName: '', TaxonomyLevel: 1 },
    { Confidence: explicit, Name: ModerationLabelName.explicitNudity, ParentName: ModerationLabelName.explicit, TaxonomyLevel: 2 },
    { Confidence: swimwear, Name: ModerationLabelName.swimwearOrUnderwear, ParentName: '', TaxonomyLevel: 1 },
  ];
  return {
    ModerationLabels: labels
      .filter((label) => (label.Confidence ?? 0) > 0 && (label.Confidence ?? 0) >= minConfidence)
      .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0) || (a.TaxonomyLevel ?? 0) - (b.TaxonomyLevel ?? 0)),
    ContentTypes: illustrated >= minConfidence ? [{ Confidence: illustrated, Name: ContentTypeName.illustrated }] : [],
  };
}

/** Whether a person check could still turn these verdicts into a label (the engine skips it otherwise). */
export function needsPersonCheck(signals: ModerationSignals): boolean {
  return Boolean(signals.second) && moderationConfidence(agreed(signals, (scores) => Math.max(scores.Porn + scores.Hentai, scores.Sexy))) > 0;
}
