/**
 * Maps the object detector's raw scores (centernet heatmap peaks, averaged
 * over the test-time views) onto Rekognition-like confidences in 0–100.
 *
 * Centernet's peaks are low for clear objects (0.5–0.65 on our fixtures), while
 * Rekognition reports such objects at 90+ and applies a default MinConfidence
 * of 55. Measured on tests/fixtures with letterboxed input and a flip view:
 *
 *   true objects   cat 0.52–0.53, person 0.57, cup 0.60, dining table 0.32
 *   false ones     dog on the cat 0.12–0.25, boat/clock on the rocket ≤ 0.19,
 *                  person on the cat 0.10 (seen in one view only)
 *
 * So raw 0.30 is put at Rekognition's default floor (55): what passes by
 * default is what the detector is fairly sure of. The curve is monotone and
 * piecewise linear between the anchors below.
 */
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

/** Rekognition-like confidence (0–100) of a raw detector score (0–1). */
export function calibratedConfidence(raw: number): number {
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
