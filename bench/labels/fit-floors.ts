/**
 * Fitting per-class floors (calibration.ts's `classRawAtFloor`) from raw
 * detections of labelled images: pure functions shared by bench/labels-fit.ts
 * and its comparison of view policies.
 *
 * A class's true score on an image is its best raw score there when the
 * class is present (0 when not detected); a false score, its best raw score
 * on an image where it is neither present nor ignored.
 */
import { rawAtFloor } from '../../local/rekognition/engine/calibration.ts';
import type { EvalImage } from './eval-set.ts';

export interface ClassScores {
  readonly truths: ReadonlyMap<string, readonly number[]>;
  readonly falses: ReadonlyMap<string, readonly number[]>;
}

export interface ScoredDetection {
  readonly className: string;
  readonly score: number;
}

export function collectScores(images: readonly EvalImage[], detectionsOf: (image: EvalImage) => readonly ScoredDetection[]): ClassScores {
  const truths = new Map<string, number[]>();
  const falses = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, name: string, score: number) => map.set(name, [...(map.get(name) ?? []), score]);
  for (const image of images) {
    const best = new Map<string, number>();
    for (const detection of detectionsOf(image)) best.set(detection.className, Math.max(best.get(detection.className) ?? 0, detection.score));
    for (const name of image.classes) push(truths, name, best.get(name) ?? 0);
    for (const [name, score] of best) if (!image.classes.includes(name) && !image.ignore.includes(name)) push(falses, name, score);
  }
  return { truths, falses };
}

/**
 * The floors where the outcome changes: the global one, just above each false detection, and, under the
 * global floor, each true detection's own score (the highest floor that still keeps it), none under `lowest`.
 */
function candidatesOf(trueScores: readonly number[], falseScores: readonly number[], lowest: number): number[] {
  const aboveFalse = falseScores.map((score) => Math.round((score + 0.001) * 1000) / 1000);
  const atTrue = trueScores.filter((score) => score < rawAtFloor).map((score) => Math.floor(score * 1000) / 1000);
  return [...new Set([rawAtFloor, ...aboveFalse, ...atTrue])].filter((floor) => floor >= lowest).sort((a, b) => a - b);
}

export function outcomeAt(trueScores: readonly number[], falseScores: readonly number[], floor: number) {
  const kept = trueScores.filter((score) => score >= floor).length;
  const wrong = falseScores.filter((score) => score >= floor).length;
  return { kept, wrong, precision: kept / Math.max(1, kept + wrong), f1: (2 * kept) / Math.max(1, trueScores.length + kept + wrong) };
}

/**
 * Shipped rule: the best F1; on ties the floor nearest the global one (so a class goes under it only when
 * that gains); with no true example, above every false detection. `lowest`: how far under the global
 * floor a class may go (the global floor itself by default: floors only rise).
 */
export function f1Floor(trueScores: readonly number[], falseScores: readonly number[], lowest = rawAtFloor): number {
  const candidates = candidatesOf(trueScores, falseScores, Math.min(lowest, rawAtFloor));
  const at = (floor: number) => outcomeAt(trueScores, falseScores, floor);
  if (trueScores.length === 0) return Math.max(rawAtFloor, candidates[candidates.length - 1]);
  return [...candidates].sort((a, b) => at(b).f1 - at(a).f1 || Math.abs(a - rawAtFloor) - Math.abs(b - rawAtFloor) || a - b)[0];
}

/**
 * Rule aimed at precision >= 0.8: the lowest floor reaching it with a true detection kept; else the best F1 at
 * precision >= 0.5; else above every false detection (evaluated for issue 16, not shipped: see local/rekognition/README.md).
 */
export function precisionFloor(trueScores: readonly number[], falseScores: readonly number[]): number {
  const candidates = candidatesOf(trueScores, falseScores, rawAtFloor);
  const at = (floor: number) => outcomeAt(trueScores, falseScores, floor);
  const reaching = candidates.find((candidate) => at(candidate).kept > 0 && at(candidate).precision >= 0.8);
  if (reaching !== undefined) return reaching;
  const acceptable = candidates.filter((candidate) => at(candidate).kept > 0 && at(candidate).precision >= 0.5);
  return acceptable.sort((a, b) => at(b).f1 - at(a).f1 || a - b)[0] ?? candidates[candidates.length - 1];
}

export type FloorRule = (trueScores: readonly number[], falseScores: readonly number[]) => number;

/** Floors other than the global one, per class, by a rule. */
export function fitFloors(scores: ClassScores, rule: FloorRule = f1Floor): Record<string, number> {
  const floors: Record<string, number> = {};
  for (const name of new Set([...scores.truths.keys(), ...scores.falses.keys()])) {
    const floor = rule(scores.truths.get(name) ?? [], scores.falses.get(name) ?? []);
    if (floor !== rawAtFloor) floors[name] = floor;
  }
  return floors;
}

/**
 * Floors for every class: `classes` for the classes a rule fitted, `default` for the others (the global curve
 * puts 0.3 at the floor; a rule may move the default too). What bench/labels-compare-floors.ts scores.
 */
export interface FloorSet {
  readonly default: number;
  readonly classes: Readonly<Record<string, number>>;
}

/** The candidate floors of the rules below: 0.30 to 1.00 by 0.01. */
export const globalFloorGrid: readonly number[] = Array.from({ length: 71 }, (_, index) => Math.round((rawAtFloor + index * 0.01) * 100) / 100);

const pooled = (scores: ClassScores) => ({ trues: [...scores.truths.values()].flat(), falses: [...scores.falses.values()].flat() });

/** One floor for every class: the one with the best F1 over all classes pooled (the lowest on ties). */
export function pooledF1Floor(scores: ClassScores, grid: readonly number[] = globalFloorGrid): FloorSet {
  const { trues, falses } = pooled(scores);
  const best = [...grid].sort((a, b) => outcomeAt(trues, falses, b).f1 - outcomeAt(trues, falses, a).f1 || a - b)[0] ?? rawAtFloor;
  return { default: best, classes: {} };
}

/**
 * Per-class calibration aimed at precision >= `target` at the default floor: a class's floor is the lowest raw
 * score at which its estimated precision reaches the target, where the estimate shrinks the class's own
 * counts above the floor towards the precision of all classes pooled at that floor, with the weight of
 * `priorWeight` detections: (kept + w × pooled) / (kept + wrong + w). A class with no example gets the pooled
 * curve's own floor (`default`). So a class seen once is not trusted on one photo, and one never seen is held
 * to what the detector achieves on all classes.
 */
export function precisionCalibratedFloors(scores: ClassScores, target = 0.8, priorWeight = 2, grid: readonly number[] = globalFloorGrid): FloorSet {
  const { trues, falses } = pooled(scores);
  const pooledPrecision = (floor: number) => {
    const { kept, wrong } = outcomeAt(trues, falses, floor);
    return kept + wrong === 0 ? 1 : kept / (kept + wrong);
  };
  const reaching = (candidates: readonly number[], precisionAt: (floor: number) => number) => candidates.find((floor) => precisionAt(floor) >= target) ?? 1;
  const classes: Record<string, number> = {};
  for (const name of new Set([...scores.truths.keys(), ...scores.falses.keys()])) {
    const classTrues = scores.truths.get(name) ?? [];
    const classFalses = scores.falses.get(name) ?? [];
    const aboveFalse = classFalses.map((score) => Math.round((score + 0.001) * 1000) / 1000).filter((floor) => floor >= rawAtFloor);
    const candidates = [...new Set([...grid, ...aboveFalse])].sort((a, b) => a - b);
    classes[name] = reaching(candidates, (floor) => {
      const { kept, wrong } = outcomeAt(classTrues, classFalses, floor);
      return (kept + priorWeight * pooledPrecision(floor)) / (kept + wrong + priorWeight);
    });
  }
  return { default: reaching(grid, pooledPrecision), classes };
}
