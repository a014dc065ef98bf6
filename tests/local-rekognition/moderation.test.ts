import { describe, expect, it } from 'vitest';
import { moderationFromNsfw } from '../../local/rekognition/moderation.ts';

describe('moderationFromNsfw', () => {
  it('reports nothing for a neutral photo', () => {
    expect(moderationFromNsfw({ Drawing: 0.01, Hentai: 0.0, Neutral: 0.93, Porn: 0.05, Sexy: 0.01 }, 50)).toEqual({ ModerationLabels: [], ContentTypes: [] });
  });

  it('maps Porn onto Explicit (L1) and Explicit Nudity (L2)', () => {
    const { ModerationLabels } = moderationFromNsfw({ Drawing: 0, Hentai: 0.1, Neutral: 0.05, Porn: 0.8, Sexy: 0.05 }, 50);
    expect(ModerationLabels).toEqual([
      { Confidence: expect.closeTo(90, 5), Name: 'Explicit', ParentName: '', TaxonomyLevel: 1 },
      { Confidence: expect.closeTo(90, 5), Name: 'Explicit Nudity', ParentName: 'Explicit', TaxonomyLevel: 2 },
    ]);
  });

  it('maps Sexy onto the non-explicit nudity category and drawings onto the Illustrated content type', () => {
    expect(moderationFromNsfw({ Drawing: 0, Hentai: 0, Neutral: 0.3, Porn: 0, Sexy: 0.7 }, 50).ModerationLabels).toEqual([
      { Confidence: expect.closeTo(70, 5), Name: 'Non-Explicit Nudity of Intimate parts and Kissing', ParentName: '', TaxonomyLevel: 1 },
    ]);
    expect(moderationFromNsfw({ Drawing: 0.9, Hentai: 0, Neutral: 0.1, Porn: 0, Sexy: 0 }, 50).ContentTypes).toEqual([{ Confidence: expect.closeTo(90, 5), Name: 'Illustrated' }]);
  });
});
