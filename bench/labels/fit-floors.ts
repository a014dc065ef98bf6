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
