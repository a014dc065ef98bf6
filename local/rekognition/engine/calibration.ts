/**
 * Maps the object detector's raw scores (centernet heatmap peaks, fused over
 * the views in views.ts) onto Rekognition-like confidences in 0–100.
 *
 * Centernet's peaks are low for clear objects (0.5–0.65), while Rekognition
 * reports such objects at 90+ and applies a default MinConfidence of 55. The
 * curve below is monotone and piecewise linear; a class's raw score at the
 * floor (`rawAtFloor`, 0.3 unless listed in `classRawAtFloor`) is put at 55.
 *
 * Fitted on the FIT half of tests/fixtures/eval (bench/labels-fit.ts prints
 * the figures); the held-out half is only reported on (`npm run bench:labels`).
 */
import type { CocoClassName } from './model-classes.ts';

const anchors: readonly (readonly [raw: number, confidence: number])[] = [
  [0, 0],
  [0.1, 15],
  [0.2, 35],
  [0.3, 55],
  [0.45, 80],
  [0.6, 92],
  [0.8, 98],
  [1, 99.9],
] as const;

/** Raw score the curve puts at the default floor (55). */
export const rawAtFloor = 0.3;

/**
 * Classes whose false positives on the fit half sat above 0.3 (or whose true
 * ones sat below it): their own raw score at the floor.
 */
export const classRawAtFloor: Partial<Record<CocoClassName, number>> = {};

function curve(raw: number): number {
  if (!Number.isFinite(raw) || raw <= 0) return 0;
  if (raw >= 1) return anchors[anchors.length - 1][1];
  for (let index = 1; index < anchors.length; index += 1) {
    const [rawHigh, high] = anchors[index];
    if (raw <= rawHigh) {
      const [rawLow, low] = anchors[index - 1];
      return low + ((raw - rawLow) / (rawHigh - rawLow)) * (high - low);
    }
  }
  return anchors[anchors.length - 1][1];
}

/** Rekognition-like confidence (0–100) of a raw detector score (0–1) of a class. */
export function calibratedConfidence(raw: number, className?: CocoClassName): number {
  const floorRaw = (className && classRawAtFloor[className]) ?? rawAtFloor;
  // Rescale so the class's floor lands on the curve's, keeping 1 at 1.
  const rescaled = raw <= floorRaw ? (raw / floorRaw) * rawAtFloor : rawAtFloor + ((raw - floorRaw) / (1 - floorRaw)) * (1 - rawAtFloor);
  return curve(rescaled);
}
