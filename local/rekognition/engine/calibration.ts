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
 * Per class, the raw score put at the floor: the one that maximises F1 on the
 * FIT half (raw scores after all views, as the engine combines them;
 * `npx tsx bench/labels-fit.ts` replays the recorded views and prints them),
 * just above one of the class's false detections; for classes with no true
 * example there, just above all of their false ones. Unlisted classes keep
 * 0.3. Fit-half raw scores (true | false >= 0.3) that decided the notable ones:
 *
 *   person    0.88 0.71 0.67 0.56 0.48 0.26 | 0.38
 *   horse     0.67 | 0.41          giraffe  0.76 0.69 | 0.36
 *   elephant  0.79 | 0.55          cat      - | 0.34
 *   cow       - | 0.53             clock    - | 0.67 0.39
 *   bird      0.66 … 0.34 | 0.64 0.52 0.45 0.32 0.30
 * Car (0.59 | 0.59, one true and one false a hair apart) keeps 0.3: a floor
 * between them would rest on a difference no photo repeats.
 */
export const classRawAtFloor: Partial<Record<CocoClassName, number>> = {
  bear: 0.345,
  bird: 0.318,
  cat: 0.337,
  clock: 0.67,
  cow: 0.527,
  'dining table': 0.303,
  elephant: 0.546,
  frisbee: 0.319,
  giraffe: 0.362,
  horse: 0.414,
  kite: 0.358,
  orange: 0.338,
  person: 0.378,
  sheep: 0.303,
  train: 0.341,
  umbrella: 0.312,
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
export function calibratedConfidence(raw: number, className?: CocoClassName, floors: Partial<Record<CocoClassName, number>> = classRawAtFloor): number {
  const floorRaw = (className && floors[className]) ?? rawAtFloor;
  // Rescale so the class's floor lands on the curve's, keeping 1 at 1.
  const rescaled = raw <= floorRaw ? (raw / floorRaw) * rawAtFloor : rawAtFloor + ((raw - floorRaw) / (1 - floorRaw)) * (1 - rawAtFloor);
  return curve(rescaled);
}
