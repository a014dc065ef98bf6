/**
 * The per-class floor rule of bench/labels-fit.ts (bench/labels/fit-floors.ts),
 * which sets local/rekognition/engine/calibration.ts's floors.
 */
import { describe, expect, it } from 'vitest';
import { collectScores, f1Floor, fitFloors, pooledF1Floor, precisionCalibratedFloors } from '../../bench/labels/fit-floors.ts';
import type { EvalImage } from '../../bench/labels/eval-set.ts';

const image = (file: string, classes: string[], ignore: string[] = []): EvalImage => ({
  file,
  split: 'fit',
  classes,
  ignore,
  adult: false,
  source: { package: 'test', version: '0', path: file },
  licence: 'test',
});

describe('f1Floor', () => {
  it('goes just above a false detection when that keeps every true one', () => {
    expect(f1Floor([0.6, 0.5], [0.41])).toBeCloseTo(0.411, 5);
  });

  it('stays at the global floor when rising would lose more true detections than false ones', () => {
    expect(f1Floor([0.6, 0.45, 0.35], [0.5])).toBe(0.3);
  });

  it('holds a class with no true example above all its false ones', () => {
    expect(f1Floor([], [0.42, 0.67])).toBeCloseTo(0.671, 5);
  });

  it('goes under the global floor only when asked, and then no lower than its lowest true score', () => {
    expect(f1Floor([0.23], [0.1])).toBe(0.3);
    expect(f1Floor([0.23], [0.1], 0.15)).toBeCloseTo(0.23, 5);
  });
});

describe('collectScores and fitFloors', () => {
  it('counts a class as true where present, false where absent, and neither where ignored', () => {
    const images = [image('a', ['cat']), image('b', []), image('c', [], ['cat'])];
    const detections: Record<string, { className: string; score: number }[]> = {
      a: [{ className: 'cat', score: 0.6 }],
      b: [{ className: 'cat', score: 0.45 }],
      c: [{ className: 'cat', score: 0.9 }],
    };
    const scores = collectScores(images, (entry) => detections[entry.file]);
    expect(scores.truths.get('cat')).toEqual([0.6]);
    expect(scores.falses.get('cat')).toEqual([0.45]);
    expect(fitFloors(scores)).toEqual({ cat: 0.451 });
  });
});

const scoresOf = (truths: Record<string, number[]>, falses: Record<string, number[]>) => ({ truths: new Map(Object.entries(truths)), falses: new Map(Object.entries(falses)) });

describe('pooledF1Floor', () => {
  it('puts one floor on every class, where F1 over all classes pooled is best', () => {
    // Pooled: true 0.7, 0.6, 0.5; false 0.45, 0.35. Floor 0.46 keeps 3 true and no false.
    const floors = pooledF1Floor(scoresOf({ cat: [0.7, 0.5], dog: [0.6] }, { cat: [0.45], bird: [0.35] }));
    expect(floors).toEqual({ default: 0.46, classes: {} });
  });
});

describe('precisionCalibratedFloors', () => {
  it('needs more than one clean photo to trust a class above the pooled curve', () => {
    // Pooled precision is 0.5 up to 0.8 (a false bird at 0.8), so the pooled floor is above it. A cat with
    // one true detection at 0.5 alone: (1 + 2 × 0.5) / (1 + 2) = 0.67 < 0.8, so it is held to the default.
    const floors = precisionCalibratedFloors(scoresOf({ cat: [0.5] }, { bird: [0.8] }), 0.8, 2);
    expect(floors.default).toBeCloseTo(0.81, 5);
    expect(floors.classes.cat).toBeCloseTo(0.81, 5);
  });

  it('lets a class with several clean detections down to the lowest floor where its estimate reaches the target', () => {
    // Pooled precision from 0.41 up is 4/4; from 0.3 it is 4/5. Cat's own 3 of 3 hold it at 0.3 already.
    const floors = precisionCalibratedFloors(scoresOf({ cat: [0.6, 0.5, 0.45], dog: [0.7] }, { dog: [0.4] }), 0.8, 2);
    expect(floors.classes.cat).toBe(0.3);
    expect(floors.default).toBe(0.3);
    // Dog: at 0.3 its own 1 true + 1 false and the pooled 0.8 give (1 + 1.6) / 4 = 0.65; above its false one, 1.
    expect(floors.classes.dog).toBeCloseTo(0.401, 5);
  });
});
