/**
 * `npx tsx bench/labels-fit.ts`: the figures the calibration is fitted from,
 * on the FIT half of tests/fixtures/eval only, read from the raw scores that
 * `npm run bench:labels` records (bench/results/labels-raw.json: the
 * detector's fused raw score of every detection, after all its views, and the
 * nsfwjs verdicts).
 *
 * Prints, per class, the raw scores of true and false detections and the
 * lowest raw score that keeps precision >= 0.8 on the fit half (what
 * `classRawAtFloor` in calibration.ts holds where it is above 0.3), and the
 * highest nsfwjs probabilities on these ordinary photos (what moderation.ts's
 * anchors must keep under 50).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import type { ImageAnalysis } from '../local/rekognition/engine/messages.ts';
import type { ModerationSignals } from '../local/rekognition/moderation.ts';
import { loadEvalSet } from './labels/eval-set.ts';

interface Recorded {
  readonly file: string;
  readonly objects: NonNullable<ImageAnalysis['objects']>;
  readonly nsfw: ModerationSignals;
}

const recorded = JSON.parse(readFileSync(path.join(repoRoot, 'bench/results/labels-raw.json'), 'utf8')) as Recorded[];
const byFile = new Map(recorded.map((entry) => [entry.file, entry]));
const fitHalf = loadEvalSet().filter((image) => image.split === 'fit');

const truths = new Map<string, number[]>();
const falses = new Map<string, number[]>();
const push = (map: Map<string, number[]>, name: string, score: number) => map.set(name, [...(map.get(name) ?? []), score]);
for (const image of fitHalf) {
  const best = new Map<string, number>();
  for (const object of byFile.get(image.file)?.objects ?? []) best.set(object.className, Math.max(best.get(object.className) ?? 0, object.score));
  for (const name of image.classes) push(truths, name, best.get(name) ?? 0);
  for (const [name, score] of best) if (!image.classes.includes(name) && !image.ignore.includes(name)) push(falses, name, score);
}
console.log(`fit half: ${fitHalf.length} images`);
console.log('| class | true (raw) | false (raw, > 0.15) | lowest raw with precision >= 0.8 |');
for (const name of [...new Set([...truths.keys(), ...falses.keys()])].sort()) {
  const trueScores = (truths.get(name) ?? []).sort((a, b) => b - a);
  const falseScores = (falses.get(name) ?? []).filter((score) => score > 0.15).sort((a, b) => b - a);
  const candidates = [...trueScores, ...falseScores].filter((score) => score > 0).sort((a, b) => a - b);
  const suggestion = candidates.find((threshold) => {
    const tp = trueScores.filter((score) => score >= threshold).length;
    const fp = falseScores.filter((score) => score >= threshold).length;
    return tp > 0 && tp / (tp + fp) >= 0.8;
  });
  const list = (scores: number[]) => scores.map((score) => score.toFixed(2)).join(' ') || '-';
  console.log(`| ${name} | ${list(trueScores)} | ${list(falseScores)} | ${suggestion === undefined ? '(none: no true detection)' : suggestion.toFixed(2)} |`);
}

const primaryMax = (signals: ModerationSignals) => Math.max(signals.primary.Porn + signals.primary.Hentai, signals.primary.Sexy);
const agreedMax = (signals: ModerationSignals) =>
  signals.second ? Math.max(Math.min(signals.primary.Porn + signals.primary.Hentai, signals.second.Porn + signals.second.Hentai), Math.min(signals.primary.Sexy, signals.second.Sexy)) : 0;
const rows = fitHalf.map((image) => ({ file: image.file, signals: byFile.get(image.file)!.nsfw }));
const top = (pick: (signals: ModerationSignals) => number) =>
  [...rows].sort((a, b) => pick(b.signals) - pick(a.signals)).slice(0, 6).map((row) => `${row.file} ${pick(row.signals).toFixed(2)}${row.signals.person === undefined ? '' : ` (person ${row.signals.person.toFixed(2)})`}`).join('; ');
console.log(`\nnsfwjs on the fit half (no adult content); second model run on ${rows.filter((row) => row.signals.second).length} of ${rows.length}`);
console.log(`highest MobileNetV2 alone (Porn+Hentai or Sexy): ${top(primaryMax)}`);
console.log(`highest agreed by both models: ${top(agreedMax)}`);
