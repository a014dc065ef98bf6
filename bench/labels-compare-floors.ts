/**
 * `npx tsx bench/labels-compare-floors.ts [-- --heldout]`: compares rules for the per-class floors of
 * local/rekognition/engine/calibration.ts, on the recorded views (bench/labels-record-views.ts) replayed
 * with the shipped view policy (bench/labels/replay.ts). Per rule, on the FIT half only:
 *   - in-sample: floors fitted on the whole fit half, scored on it (optimistic);
 *   - 2-fold: floors fitted on alternate fit images, scored on the others, both ways, pooled.
 * The counts of classes under the issue's targets (recall or precision < 0.8 at the default floor) are
 * summed over the two folds. With `--heldout`, each rule is also fitted on the whole fit half and scored
 * once on the HELD-OUT half, with a per-class table: that is for the record, after the choice was made on
 * the fit-half columns (issue 16's third session; local/rekognition/README.md says what was chosen).
 *
 * Rules (bench/labels/fit-floors.ts): the shipped floors as they are; the F1 and precision >= 0.8 rules of
 * bench/labels-fit.ts; one global floor (fitted by pooled F1, or fixed, to show the frontier); and a
 * per-class calibration aimed at precision 0.8 that shrinks each class towards all classes pooled.
 */
import { classRawAtFloor, rawAtFloor } from '../local/rekognition/engine/calibration.ts';
import { cocoClassNames, type CocoClassName } from '../local/rekognition/engine/model-classes.ts';
import { loadEvalSet, type EvalImage } from './labels/eval-set.ts';
import { collectScores, f1Floor, fitFloors, pooledF1Floor, precisionCalibratedFloors, precisionFloor, type ClassScores, type FloorSet } from './labels/fit-floors.ts';
import { loadRecordedViews, replay } from './labels/replay.ts';
import { scoreOutcomes, type SplitScore } from './labels/score.ts';

const recorded = loadRecordedViews();
const images = loadEvalSet();
const fitHalf = images.filter((image) => image.split === 'fit');
const heldout = images.filter((image) => image.split === 'heldout');
const withHeldout = process.argv.includes('--heldout');
const needed = withHeldout ? images : fitHalf;
if (needed.some((image) => !recorded.has(image.file))) throw new Error('not every image has recorded views: run npx tsx bench/labels-record-views.ts first');

type Rule = (scores: ClassScores) => FloorSet;

const fixed = (floors: FloorSet): Rule => () => floors;
const rules: Record<string, Rule> = {
  'shipped floors (calibration.ts), not refitted': fixed({ default: rawAtFloor, classes: classRawAtFloor }),
  'F1 rule per class (labels-fit.ts)': (scores) => ({ default: rawAtFloor, classes: fitFloors(scores, f1Floor) }),
  'precision >= 0.8 rule per class (labels-fit.ts)': (scores) => ({ default: rawAtFloor, classes: fitFloors(scores, precisionFloor) }),
  'one global floor, best pooled F1': (scores) => pooledF1Floor(scores),
  'one global floor 0.45': fixed({ default: 0.45, classes: {} }),
  'one global floor 0.55': fixed({ default: 0.55, classes: {} }),
  'per-class precision-0.8 calibration, prior weight 1': (scores) => precisionCalibratedFloors(scores, 0.8, 1),
  'per-class precision-0.8 calibration, prior weight 2': (scores) => precisionCalibratedFloors(scores, 0.8, 2),
  'per-class precision-0.8 calibration, prior weight 4': (scores) => precisionCalibratedFloors(scores, 0.8, 4),
};

/** Raw detections do not depend on the floors: replayed once per image. */
const detections = new Map(needed.map((image) => [image.file, replay(recorded.get(image.file)!, undefined, {})]));
const scoresOf = (subset: readonly EvalImage[]) => collectScores(subset, (image) => detections.get(image.file)!);

function scoreWith(subset: readonly EvalImage[], floors: FloorSet): SplitScore {
  const everyClass = Object.fromEntries(cocoClassNames.map((name) => [name, floors.classes[name] ?? floors.default])) as Record<CocoClassName, number>;
  const outcomes = subset.map((image) => {
    const classConfidence = new Map<string, number>();
    for (const detection of replay(recorded.get(image.file)!, undefined, everyClass)) {
      classConfidence.set(detection.className, Math.max(classConfidence.get(detection.className) ?? 0, detection.confidence));
    }
    return { image, classConfidence, moderationConfidence: 0, labelCount: 0 };
  });
  return scoreOutcomes(outcomes, 55, 50);
}

interface Totals { readonly recall: number; readonly precision: number; readonly f1: number; readonly offPrecision: number; readonly offRecall: number }

function totals(parts: readonly SplitScore[]): Totals {
  const classes = parts.flatMap((part) => Object.values(part.classes));
  const sum = (pick: (value: (typeof classes)[number]) => number) => classes.reduce((total, value) => total + pick(value), 0);
  const truePositives = sum((value) => value.truePositives);
  const recall = truePositives / Math.max(1, sum((value) => value.present));
  const precision = truePositives / Math.max(1, truePositives + sum((value) => value.falsePositives));
  return {
    recall,
    precision,
    f1: (2 * precision * recall) / Math.max(1e-9, precision + recall),
    offPrecision: classes.filter((value) => value.precision !== null && value.precision < 0.8).length,
    offRecall: classes.filter((value) => value.recall !== null && value.recall < 0.8).length,
  };
}

const cells = (value: Totals) => `${value.recall.toFixed(2)} | ${value.precision.toFixed(2)} | ${value.f1.toFixed(3)} | ${value.offPrecision} | ${value.offRecall}`;
const folds = [fitHalf.filter((_, index) => index % 2 === 0), fitHalf.filter((_, index) => index % 2 === 1)];
const fitScores = scoresOf(fitHalf);

console.log(`fit half: ${fitHalf.length} images${withHeldout ? `; held-out half: ${heldout.length} images, scored once per rule` : ' (held-out half not read)'}`);
console.log('recall, precision, F1, and classes with precision < 0.8 / recall < 0.8 at the default floor (55)');
console.log(`| rule | in-sample R | P | F1 | P<0.8 | R<0.8 | 2-fold R | P | F1 | P<0.8 | R<0.8 |${withHeldout ? ' held-out R | P | F1 | P<0.8 | R<0.8 |' : ''}`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|${withHeldout ? '---|---|---|---|---|' : ''}`);
const heldoutScores: Record<string, SplitScore> = {};
for (const [name, rule] of Object.entries(rules)) {
  const fitted = rule(fitScores);
  const inSample = totals([scoreWith(fitHalf, fitted)]);
  const crossed = totals([scoreWith(folds[1], rule(scoresOf(folds[0]))), scoreWith(folds[0], rule(scoresOf(folds[1])))]);
  let heldoutCells = '';
  if (withHeldout) {
    heldoutScores[name] = scoreWith(heldout, fitted);
    heldoutCells = ` ${cells(totals([heldoutScores[name]]))} |`;
  }
  const defaultFloor = fitted.default === rawAtFloor ? '' : ` (default floor ${fitted.default.toFixed(2)})`;
  console.log(`| ${name}${defaultFloor} | ${cells(inSample)} | ${cells(crossed)} |${heldoutCells}`);
}

if (withHeldout) {
  const shown = Object.keys(rules).filter((name) => /^shipped|best pooled F1|prior weight 2/.test(name));
  const classNames = [...new Set(shown.flatMap((name) => Object.keys(heldoutScores[name].classes)))].sort();
  console.log('\nheld-out per class, recall / precision (- when never present / never predicted)');
  console.log(`| class | present | ${shown.join(' | ')} |`);
  console.log(`|---|---|${shown.map(() => '---|').join('')}`);
  const ratio = (value: number | null | undefined) => (value === null || value === undefined ? '-' : value.toFixed(2));
  for (const className of classNames) {
    const present = Math.max(...shown.map((name) => heldoutScores[name].classes[className]?.present ?? 0));
    const columns = shown.map((name) => `${ratio(heldoutScores[name].classes[className]?.recall)} / ${ratio(heldoutScores[name].classes[className]?.precision)}`);
    console.log(`| ${className} | ${present} | ${columns.join(' | ')} |`);
  }
}
