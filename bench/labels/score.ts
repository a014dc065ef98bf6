/**
 * Scores what the local Rekognition said about the evaluation set: per-class
 * recall and precision at a confidence floor, the false-flag rate of
 * moderation, and the mean number of labels an image gets.
 */
import type { EvalImage } from './eval-set.ts';

export interface ImageOutcome {
  readonly image: EvalImage;
  /** Best confidence of each COCO class detected, 0–100. */
  readonly classConfidence: ReadonlyMap<string, number>;
  /** Best moderation label confidence (any level), 0 when none. */
  readonly moderationConfidence: number;
  /** DetectLabels' label count at the floor (parents included). */
  readonly labelCount: number;
}

export interface ClassScore {
  readonly present: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  /** null when the class is never present. */
  readonly recall: number | null;
  /** null when the class is never predicted. */
  readonly precision: number | null;
}

export interface SplitScore {
  readonly images: number;
  readonly floor: number;
  readonly classes: Record<string, ClassScore>;
  /** Recall over all (image, class present) pairs. */
  readonly recall: number;
  /** Precision over all scored predictions. */
  readonly precision: number;
  readonly falseFlagRate: number;
  readonly flagged: readonly string[];
  readonly meanLabelsPerImage: number;
  readonly misses: readonly string[];
  readonly falsePositives: readonly string[];
}

export function scoreOutcomes(outcomes: readonly ImageOutcome[], floor: number, moderationFloor: number): SplitScore {
  const counts = new Map<string, { present: number; truePositives: number; falsePositives: number }>();
  const count = (name: string) => {
    let value = counts.get(name);
    if (!value) counts.set(name, (value = { present: 0, truePositives: 0, falsePositives: 0 }));
    return value;
  };
  const misses: string[] = [];
  const falsePositives: string[] = [];
  for (const { image, classConfidence } of outcomes) {
    for (const name of image.classes) {
      count(name).present += 1;
      if ((classConfidence.get(name) ?? 0) >= floor) count(name).truePositives += 1;
      else misses.push(`${image.file}: ${name} ${(classConfidence.get(name) ?? 0).toFixed(0)}`);
    }
    for (const [name, confidence] of classConfidence) {
      if (confidence < floor || image.classes.includes(name) || image.ignore.includes(name)) continue;
      count(name).falsePositives += 1;
      falsePositives.push(`${image.file}: ${name} ${confidence.toFixed(0)}`);
    }
  }
  const classes = Object.fromEntries(
    [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => [
      name,
      {
        ...value,
        recall: value.present > 0 ? value.truePositives / value.present : null,
        precision: value.truePositives + value.falsePositives > 0 ? value.truePositives / (value.truePositives + value.falsePositives) : null,
      },
    ]),
  );
  const total = (pick: (value: { present: number; truePositives: number; falsePositives: number }) => number) => [...counts.values()].reduce((sum, value) => sum + pick(value), 0);
  const truePositives = total((value) => value.truePositives);
  const flagged = outcomes.filter((outcome) => outcome.moderationConfidence >= moderationFloor).map((outcome) => `${outcome.image.file}: ${outcome.moderationConfidence.toFixed(0)}`);
  return {
    images: outcomes.length,
    floor,
    classes,
    recall: truePositives / Math.max(1, total((value) => value.present)),
    precision: truePositives / Math.max(1, truePositives + total((value) => value.falsePositives)),
    falseFlagRate: flagged.length / Math.max(1, outcomes.length),
    flagged,
    meanLabelsPerImage: outcomes.reduce((sum, outcome) => sum + outcome.labelCount, 0) / Math.max(1, outcomes.length),
    misses,
    falsePositives,
  };
}
