import { describe, expect, it } from 'vitest';
import { calibratedConfidence } from '../../local/rekognition/engine/calibration.ts';
import { modelPixels } from '../../local/rekognition/engine/decode.ts';
import { fuseViews, suppressDuplicates, type RawDetection } from '../../local/rekognition/engine/fusion.ts';
import { combineViews, viewPolicy } from '../../local/rekognition/engine/views.ts';
import type { DetectedObject } from '../../local/rekognition/engine/object-detector.ts';
import { labelsFromObjects } from '../../local/rekognition/labels.ts';

const box = { left: 0.1, top: 0.2, width: 0.5, height: 0.6 };
const object = (className: DetectedObject['className'], confidence: number): DetectedObject => ({ className, confidence, score: 0, box });

describe('labelsFromObjects', () => {
  it('adds parents as labels with the best confidence of their children', () => {
    const labels = labelsFromObjects([object('cat', 87), object('dog', 60)], { minConfidence: 55 });
    const byName = new Map(labels.map((label) => [label.Name, label]));
    expect(byName.get('Cat')).toMatchObject({
      Confidence: 87,
      Instances: [{ Confidence: 87, BoundingBox: { Width: 0.5, Height: 0.6, Left: 0.1, Top: 0.2 } }],
      Parents: [{ Name: 'Pet' }, { Name: 'Mammal' }, { Name: 'Animal' }],
      Categories: [{ Name: 'Animals and Pets' }],
    });
    expect(byName.get('Animal')).toMatchObject({ Confidence: 87, Instances: [], Parents: [] });
    expect(byName.get('Canine')).toMatchObject({ Confidence: 60, Parents: [{ Name: 'Mammal' }, { Name: 'Animal' }] });
    expect(labels.map((label) => label.Confidence)).toEqual([...labels.map((label) => label.Confidence)].sort((a, b) => (b ?? 0) - (a ?? 0)));
  });

  it('drops what is under MinConfidence and keeps MaxLabels best', () => {
    expect(labelsFromObjects([object('cat', 50)], { minConfidence: 55 })).toEqual([]);
    const labels = labelsFromObjects([object('cat', 87), object('cup', 90)], { minConfidence: 55, maxLabels: 2 });
    expect(labels.map((label) => label.Name)).toEqual(['Cup', 'Animal']);
  });

  it('applies inclusion and exclusion filters by name and category', () => {
    const objects = [object('cat', 87), object('cup', 90)];
    const names = (filters: Parameters<typeof labelsFromObjects>[1]['filters']) => labelsFromObjects(objects, { minConfidence: 0, filters }).map((label) => label.Name).sort();
    expect(names({ labelInclusion: ['Cat'] })).toEqual(['Cat']);
    expect(names({ categoryInclusion: ['Animals and Pets'] })).toEqual(['Animal', 'Cat', 'Mammal', 'Pet']);
    expect(names({ categoryExclusion: ['Animals and Pets'] })).toEqual(['Cup']);
    expect(names({ categoryInclusion: ['Animals and Pets'], labelExclusion: ['Pet'] })).toEqual(['Animal', 'Cat', 'Mammal']);
  });
});

describe('calibratedConfidence', () => {
  it('is monotone, bounded, and puts raw 0.30 at the default floor of 55', () => {
    let previous = -1;
    for (let raw = 0; raw <= 1.0001; raw += 0.01) {
      const confidence = calibratedConfidence(raw);
      expect(confidence).toBeGreaterThanOrEqual(previous);
      expect(confidence).toBeLessThanOrEqual(100);
      previous = confidence;
    }
    expect(calibratedConfidence(0.3)).toBeCloseTo(55);
    expect(calibratedConfidence(Number.NaN)).toBe(0);
  });

  it('puts a class at the floor at its own raw score, from the given floors (bench/labels-fit.ts replays candidates)', () => {
    expect(calibratedConfidence(0.5, 'bird', { bird: 0.5 })).toBeCloseTo(55);
    expect(calibratedConfidence(0.5, 'bird', {})).toBeGreaterThan(80);
    expect(calibratedConfidence(0.3, 'sheep', { bird: 0.5 })).toBeCloseTo(55);
  });
});

describe('combineViews', () => {
  const bird = (score: number, x1: number, y1 = 0): RawDetection => ({ classIndex: 14, score, box: { x1, y1, x2: x1 + 0.1, y2: y1 + 0.1 } });
  const flock = [bird(0.3, 0), bird(0.3, 0.2), bird(0.3, 0.4)];
  const runs = { base: [flock, flock], tiles: [[bird(0.25, 0.7, 0.7)]] };

  // Tiles are off in the shipped policy (views.ts); a policy with a finite crowdMin turns them on.
  const tilesOn = { ...viewPolicy, crowdMin: 3 };

  it('adds a crowded class from the tiles where the base views had none, over the policy minimum score', () => {
    expect(combineViews(runs, tilesOn)).toHaveLength(4);
    expect(combineViews(runs, { ...tilesOn, tileMinScore: 0.3 })).toHaveLength(3);
  });

  it('takes nothing from the tiles in the shipped policy', () => {
    expect(combineViews(runs)).toHaveLength(3);
  });

  it('fuses the two zoomed-out views: a peak both scales see keeps its score, one seen at one scale is halved', () => {
    const seenBoth = bird(0.5, 0.4, 0.4);
    const zoomRuns = { base: [[], []], zoom: [seenBoth, bird(0.4, 0)], zoomFar: [{ ...seenBoth, score: 0.46 }] };
    const scores = combineViews(zoomRuns).map((detection) => detection.score);
    expect(scores[0]).toBeCloseTo(0.48, 5);
    expect(scores[1]).toBeCloseTo(0.2, 5);
  });
});

describe('fusion', () => {
  const detection = (classIndex: number, score: number, x1: number): RawDetection => ({ classIndex, score, box: { x1, y1: 0, x2: x1 + 0.5, y2: 0.5 } });

  it('suppresses same-class duplicates only', () => {
    const kept = suppressDuplicates([detection(15, 0.5, 0), detection(15, 0.4, 0.01), detection(16, 0.3, 0)], 0.5);
    expect(kept.map((entry) => [entry.classIndex, entry.score])).toEqual([[15, 0.5], [16, 0.3]]);
  });

  it('averages a box over all views, so one-view peaks are halved', () => {
    const fused = fuseViews([[detection(15, 0.52, 0)], [detection(15, 0.54, 0.02), detection(0, 0.2, 0)]], 0.55);
    expect(fused[0]).toMatchObject({ classIndex: 15, score: expect.closeTo(0.53, 5) });
    expect(fused[1]).toMatchObject({ classIndex: 0, score: expect.closeTo(0.1, 5) });
  });
});

describe('modelPixels', () => {
  // A 2 × 2 RGB input: pixel (row, column) holds [10 × row + column, 100 + row, 200 + column].
  const input = { size: 2, pixels: Uint8Array.from([0, 100, 200, 1, 100, 201, 10, 101, 200, 11, 101, 201]) };

  it('gives the pixels as floats, in order, for the plain view', () => {
    expect([...modelPixels(input, false)]).toEqual([0, 100, 200, 1, 100, 201, 10, 101, 200, 11, 101, 201]);
  });

  it('mirrors each row left to right for the mirror view, keeping each pixel\'s channels in order', () => {
    expect([...modelPixels(input, true)]).toEqual([1, 100, 201, 0, 100, 200, 11, 101, 201, 10, 101, 200]);
  });
});
