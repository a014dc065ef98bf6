/**
 * The per-class floor rule of bench/labels-fit.ts (bench/labels/fit-floors.ts),
 * which sets local/rekognition/engine/calibration.ts's floors.
 */
import { describe, expect, it } from 'vitest';
import { collectScores, f1Floor, fitFloors } from '../../bench/labels/fit-floors.ts';
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
