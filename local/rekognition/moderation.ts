/**
 * Maps nsfwjs's five classes onto Rekognition's content moderation taxonomy
 * (model version 7: three levels, L1 "Explicit" > L2 "Explicit Nudity", ...).
 *
 *   Porn + Hentai -> L1 Explicit, L2 Explicit Nudity
 *   Sexy          -> L1 Non-Explicit Nudity of Intimate parts and Kissing
 *                    (version 6.1's "Suggestive" maps here); nsfwjs cannot
 *                    tell which L2 applies, so none is claimed
 *   Drawing + Hentai -> content type "Illustrated"
 *   Neutral       -> nothing
 */
import type { ContentType, ModerationLabel } from '@aws-sdk/client-rekognition';
import type { NsfwScores } from './engine/moderation-classifier.ts';

export const moderationModelVersion = '7.0';

export const ModerationLabelName = {
  explicit: 'Explicit',
  explicitNudity: 'Explicit Nudity',
  nonExplicitNudity: 'Non-Explicit Nudity of Intimate parts and Kissing',
} as const;

export const ContentTypeName = { illustrated: 'Illustrated' } as const;

export interface ModerationResult {
  readonly ModerationLabels: ModerationLabel[];
  readonly ContentTypes: ContentType[];
}

export function moderationFromNsfw(scores: NsfwScores, minConfidence: number): ModerationResult {
  const percent = (probability: number) => Math.min(100, Math.max(0, probability * 100));
  const explicit = percent(scores.Porn + scores.Hentai);
  const nonExplicit = percent(scores.Sexy);
  const illustrated = percent(scores.Drawing + scores.Hentai);

  const labels: ModerationLabel[] = [
    { Confidence: explicit, Name: ModerationLabelName.explicit, ParentName: '', TaxonomyLevel: 1 },
    { Confidence: explicit, Name: ModerationLabelName.explicitNudity, ParentName: ModerationLabelName.explicit, TaxonomyLevel: 2 },
    { Confidence: nonExplicit, Name: ModerationLabelName.nonExplicitNudity, ParentName: '', TaxonomyLevel: 1 },
  ];
  return {
    ModerationLabels: labels
      .filter((label) => (label.Confidence ?? 0) >= minConfidence)
      .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0) || (a.TaxonomyLevel ?? 0) - (b.TaxonomyLevel ?? 0)),
    ContentTypes: illustrated >= minConfidence ? [{ Confidence: illustrated, Name: ContentTypeName.illustrated }] : [],
  };
}
