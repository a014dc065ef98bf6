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
 * Classes with false positives at or above 0.3 on the fit half: their own raw
 * score at the floor, just above the highest false one where a true one stays
 * above it (precision >= 0.8 on the fit half), else above all false ones
 * (bear, sheep: the detector calls red pandas, koalas, lemurs and goats so;
 * a missed bear misleads less than a koala called a bear). Raw scores on the
 * fit half (true | false):
 *
 *   bear      0.70 | 0.84 0.34 0.31       giraffe  0.76 0.69 | 0.36
 *   bird      0.66 0.64 0.60 0.57 0.51 0.34 | 0.64 0.52 0.45 0.30
 *   clock     - | 0.67 0.39               horse    0.67 | 0.41 0.31
 *   cow       - | 0.53                    person   0.88 0.71 0.67 0.56 0.48 0.17 | 0.38
 *   elephant  0.79 | 0.54                 sheep    0.31 | 0.68 0.62 0.49 0.39
 *   train     - | 0.34                    umbrella - | 0.31    dining table - | 0.30
 *   car       0.59 | 0.59 (left at 0.3: no threshold separates them)
 */
export const classRawAtFloor: Partial<Record<CocoClassName, number>> = {
  bear: 0.85,
  bird: 0.56,
  clock: 0.68,
  cow: 0.54,
  'dining table': 0.31,
  elephant: 0.55,
  giraffe: 0.37,
  horse: 0.42,
  person: 0.39,
  sheep: 0.69,
  train: 0.35,
  umbrella: 0.32,
};

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
