import { describe, expect, it } from 'vitest';
import type { NsfwScores } from '../../local/rekognition/engine/moderation-classifier.ts';
import { moderationConfidence, moderationFromNsfw, needsPersonCheck } from '../../local/rekognition/moderation.ts';

const scores = (partial: Partial<NsfwScores>): NsfwScores => ({ Drawing: 0, Hentai: 0, Neutral: 0, Porn: 0, Sexy: 0, ...partial });

describe('moderationFromNsfw', () => {
  it('reports nothing for a neutral photo', () => {
    expect(moderationFromNsfw({ primary: scores({ Drawing: 0.01, Neutral: 0.93, Porn: 0.05, Sexy: 0.01 }) }, 50)).toEqual({ ModerationLabels: [], ContentTypes: [] });
  });

  it('maps Porn on which both models agree, with a person seen, onto Explicit (L1) and Explicit Nudity (L2)', () => {
    const porn = scores({ Porn: 0.95, Neutral: 0.05 });
    const { ModerationLabels } = moderationFromNsfw({ primary: porn, second: scores({ Porn: 0.92, Sexy: 0.05 }), person: 0.5 }, 50);
    expect(ModerationLabels).toEqual([
      { Confidence: expect.closeTo(moderationConfidence(0.92), 3), Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
      { Confidence: expect.closeTo(moderationConfidence(0.92), 3), Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
    ]);
    expect(ModerationLabels[0].Confidence).toBeGreaterThan(85);
  });

  it('flags nothing on one model alone, on models that disagree, or on Porn without a person (a red apple)', () => {
    const porn = scores({ Porn: 0.9, Neutral: 0.1 });
    expect(moderationFromNsfw({ primary: porn, person: 0.9 }, 50).ModerationLabels).toEqual([]);
    expect(moderationFromNsfw({ primary: porn, second: scores({ Porn: 0.3, Neutral: 0.7 }), person: 0.9 }, 50).ModerationLabels).toEqual([]);
    expect(moderationFromNsfw({ primary: porn, second: porn, person: 0.05 }, 50).ModerationLabels).toEqual([]);
  });

  it('flags drawn explicit content (Hentai) on both models without a person', () => {
    const hentai = scores({ Hentai: 0.95, Drawing: 0.05 });
    const { ModerationLabels, ContentTypes } = moderationFromNsfw({ primary: hentai, second: hentai }, 50);
    expect(ModerationLabels.map((label) => label.Name)).toEqual(['Explicit', 'Explicit Nudity']);
    expect(ContentTypes).toEqual([{ Confidence: 100, Name: 'Illustrated' }]);
  });

  it('maps Sexy onto Swimwear or Underwear, never onto nudity', () => {
    const sexy = scores({ Sexy: 0.95, Neutral: 0.05 });
    expect(moderationFromNsfw({ primary: sexy, second: sexy, person: 0.6 }, 50).ModerationLabels).toEqual([
      { Confidence: expect.closeTo(moderationConfidence(0.95), 3), Name: 'Swimwear or Underwear', ParentName: '', TaxonomyLevel: 1 },
    ]);
    expect(moderationFromNsfw({ primary: sexy, second: sexy }, 50).ModerationLabels).toEqual([]);
  });

  it('asks for the person check only when the two models agree on something', () => {
    expect(needsPersonCheck({ primary: scores({ Porn: 0.9 }) })).toBe(false);
    expect(needsPersonCheck({ primary: scores({ Porn: 0.9 }), second: scores({ Neutral: 1 }) })).toBe(false);
    expect(needsPersonCheck({ primary: scores({ Porn: 0.9 }), second: scores({ Porn: 0.8 }) })).toBe(true);
  });
});

describe('moderationConfidence', () => {
  it('is monotone, bounded, and puts an agreed 0.75 at the default floor of 50', () => {
    let previous = -1;
    for (let agreed = 0; agreed <= 1.0001; agreed += 0.01) {
      const confidence = moderationConfidence(agreed);
      expect(confidence).toBeGreaterThanOrEqual(previous);
      expect(confidence).toBeLessThanOrEqual(100);
      previous = confidence;
    }
    expect(moderationConfidence(0.75)).toBeCloseTo(50);
    expect(moderationConfidence(Number.NaN)).toBe(0);
  });
});
