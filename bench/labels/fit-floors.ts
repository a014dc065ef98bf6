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

/** The global floor and just above each false detection at or over it: the only floors where the outcome changes. */
function candidatesOf(falseScores: readonly number[]): number[] {
  return [rawAtFloor, ...falseScores.filter((score) => score >= rawAtFloor).map((score) => Math.round((score + 0.001) * 1000) / 1000)].sort((a, b) => a - b);
}

export function outcomeAt(trueScores: readonly number[], falseScores: readonly number[], floor: number) {
  const kept = trueScores.filter((score) => score >= floor).length;
  const wrong = falseScores.filter((score) => score >= floor).length;
  return { kept, wrong, precision: kept / Math.max(1, kept + wrong), f1: (2 * kept) / Math.max(1, trueScores.length + kept + wrong) };
}

/** Shipped rule: the best F1 (lowest floor on ties); with no true example, above every false detection. */
export function f1Floor(trueScores: readonly number[], falseScores: readonly number[]): number {
  const candidates = candidatesOf(falseScores);
  const at = (floor: number) => outcomeAt(trueScores, falseScores, floor);
  if (trueScores.length === 0) return candidates[candidates.length - 1];
  return [...candidates].sort((a, b) => at(b).f1 - at(a).f1 || a - b)[0];
}

/**
 * Rule aimed at precision >= 0.8: the lowest floor reaching it with a true detection kept; else the best F1 at
 * precision >= 0.5; else above every false detection (evaluated for issue 16, not shipped: see local/rekognition/README.md).
 */
export function precisionFloor(trueScores: readonly number[], falseScores: readonly number[]): number {
  const candidates = candidatesOf(falseScores);
  const at = (floor: number) => outcomeAt(trueScores, falseScores, floor);
  const reaching = candidates.find((candidate) => at(candidate).kept > 0 && at(candidate).precision >= 0.8);
  if (reaching !== undefined) return reaching;
  const acceptable = candidates.filter((candidate) => at(candidate).kept > 0 && at(candidate).precision >= 0.5);
  return acceptable.sort((a, b) => at(b).f1 - at(a).f1 || a - b)[0] ?? candidates[candidates.length - 1];
}

export type FloorRule = typeof f1Floor;

/** Floors above the global one, per class, by a rule. */
export function fitFloors(scores: ClassScores, rule: FloorRule = f1Floor): Record<string, number> {
  const floors: Record<string, number> = {};
  for (const name of new Set([...scores.truths.keys(), ...scores.falses.keys()])) {
    const floor = rule(scores.truths.get(name) ?? [], scores.falses.get(name) ?? []);
    if (floor > rawAtFloor) floors[name] = floor;
  }
  return floors;
}
