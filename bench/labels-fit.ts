/**
 * `npx tsx bench/labels-fit.ts`: fits the per-class floors of
 * local/rekognition/engine/calibration.ts (`classRawAtFloor`) on the FIT half
 * of tests/fixtures/eval ONLY, and prints them with the raw scores that
 * decided them. The held-out half is never read here: `npm run bench:labels`
 * reports on it.
 *
 * Input: the raw detections of every view, recorded once by
 * `npx tsx bench/labels-record-views.ts` (bench/results/labels-views*.json);
 * the engine's own view policy and fusion (views.ts) are replayed on them
 * (bench/labels/replay.ts), so the raw scores are the ones the engine
 * calibrates. Two rules per class (bench/labels/fit-floors.ts), over the
 * floors 0.3 and just above each of the class's false detections (best score
 * of the class on an image without it):
 *   - shipped: the best F1 (lowest floor on ties); with no true example,
 *     above every false detection;
 *   - aimed at the issue's target (printed, not shipped): the lowest floor
 *     with precision >= 0.8 keeping a true detection; else the best F1 at
 *     precision >= 0.5; else above every false detection.
 * Floors at 0.3 are the global curve's and are not listed.
 *
 * Also prints, when bench/results/labels-raw.json exists (written by
 * `npm run bench:labels`), the highest nsfwjs probabilities on the fit half
 * (what moderation.ts's anchors must keep under 50).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { rawAtFloor } from '../local/rekognition/engine/calibration.ts';
import type { ModerationSignals } from '../local/rekognition/moderation.ts';
import { loadEvalSet } from './labels/eval-set.ts';
import { collectScores, f1Floor, precisionFloor } from './labels/fit-floors.ts';
import { loadRecordedViews, replay } from './labels/replay.ts';

const recorded = loadRecordedViews();
const fitHalf = loadEvalSet().filter((image) => image.split === 'fit');
const missing = fitHalf.filter((image) => !recorded.has(image.file));
if (missing.length > 0) throw new Error(`no recorded views for ${missing.length} fit images (${missing[0].file}, …): run npx tsx bench/labels-record-views.ts first`);

// Floors at their defaults: the raw scores do not depend on them.
const { truths, falses } = collectScores(fitHalf, (image) => replay(recorded.get(image.file)!, undefined, {}));

console.log(`fit half: ${fitHalf.length} images`);
console.log('| class | true (raw) | false (raw, > 0.15) | F1 floor (shipped) | precision >= 0.8 floor |');
const floors: Record<string, number> = {};
const precisionFloors: Record<string, number> = {};
for (const name of [...new Set([...truths.keys(), ...falses.keys()])].sort()) {
  const trueScores = [...(truths.get(name) ?? [])].sort((a, b) => b - a);
  const falseScores = [...(falses.get(name) ?? [])].sort((a, b) => b - a);
  const floor = f1Floor(trueScores, falseScores);
  const strict = precisionFloor(trueScores, falseScores);
  if (floor > rawAtFloor) floors[name] = floor;
  if (strict > rawAtFloor) precisionFloors[name] = strict;
  const list = (scores: number[]) => scores.map((score) => score.toFixed(2)).join(' ') || '-';
  console.log(`| ${name} | ${list(trueScores)} | ${list(falseScores.filter((score) => score > 0.15))} | ${floor.toFixed(3)} | ${strict.toFixed(3)} |`);
}
const asCode = (values: Record<string, number>) => JSON.stringify(Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))));
console.log(`\nclassRawAtFloor (F1 rule) = ${asCode(floors)}`);
console.log(`precision >= 0.8 rule     = ${asCode(precisionFloors)}`);

const rawFile = path.join(repoRoot, 'bench/results/labels-raw.json');
if (existsSync(rawFile)) {
  const rows = (JSON.parse(readFileSync(rawFile, 'utf8')) as { file: string; nsfw: ModerationSignals }[]).filter((row) => fitHalf.some((image) => image.file === row.file));
  const primaryMax = (signals: ModerationSignals) => Math.max(signals.primary.Porn + signals.primary.Hentai, signals.primary.Sexy);
  const agreedMax = (signals: ModerationSignals) =>
    signals.second ? Math.max(Math.min(signals.primary.Porn + signals.primary.Hentai, signals.second.Porn + signals.second.Hentai), Math.min(signals.primary.Sexy, signals.second.Sexy)) : 0;
  const top = (pick: (signals: ModerationSignals) => number) =>
    [...rows].sort((a, b) => pick(b.nsfw) - pick(a.nsfw)).slice(0, 6).map((row) => `${row.file} ${pick(row.nsfw).toFixed(2)}${row.nsfw.person === undefined ? '' : ` (person ${row.nsfw.person.toFixed(2)})`}`).join('; ');
  console.log(`\nnsfwjs on the fit half (no adult content); second model run on ${rows.filter((row) => row.nsfw.second).length} of ${rows.length}`);
  console.log(`highest MobileNetV2 alone (Porn+Hentai or Sexy): ${top(primaryMax)}`);
  console.log(`highest agreed by both models: ${top(agreedMax)}`);
}
