/**
 * `npx tsx bench/labels-fit.ts [--cached]`: the figures the calibration was
 * fitted from, on the FIT half of tests/fixtures/eval only.
 *
 * Runs the views of every fit image (views.ts: base, and zoomed-out and tiles
 * under a looser policy than the engine's, so it can be tuned) and both
 * nsfwjs models once, caches the raw results in
 * bench/results/labels-views.json, then replays the view policy on them and
 * prints, per class, the raw scores of true and false detections, and the
 * raw score at the floor that keeps precision >= 0.8 with the most recall
 * (what `classRawAtFloor` in calibration.ts holds), and the highest agreed
 * nsfwjs probabilities on these ordinary photos (what moderation.ts's
 * anchors must keep under 50).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { decodeImage } from '../local/rekognition/engine/decode.ts';
import { defaultMaxPixels } from '../local/rekognition/engine/engine.ts';
import { cocoClassNames } from '../local/rekognition/engine/model-classes.ts';
import { loadModerationClassifier, type NsfwVerdicts } from '../local/rekognition/engine/moderation-classifier.ts';
import { loadObjectDetector } from '../local/rekognition/engine/object-detector.ts';
import { combineViews, crowdedClasses, fuseBase, needsZoomOut, viewPolicy, type ViewRuns } from '../local/rekognition/engine/views.ts';

const looserPolicy = { ...viewPolicy, zoomOutBelow: 0.45, crowdMin: 2, crowdScore: 0.1, crowdMaxArea: 0.25 };
import { imageBytes, loadEvalSet } from './labels/eval-set.ts';

interface Recorded {
  readonly file: string;
  /** Zoom and tiles are recorded only where a looser policy than views.ts's would run them (the machine is shared and slow). */
  readonly runs: ViewRuns;
  readonly nsfw: NsfwVerdicts;
  readonly person: number;
}

const cacheFile = path.join(repoRoot, 'bench/results/labels-views.json');
const images = loadEvalSet();

async function record(): Promise<Recorded[]> {
  const [detector, classifier] = await Promise.all([loadObjectDetector(), loadModerationClassifier()]);
  const recorded: Recorded[] = [];
  for (const image of images.filter((entry) => entry.split === 'fit')) {
    const decoded = await decodeImage(imageBytes(image), { maxPixels: defaultMaxPixels });
    recorded.push({
      file: image.file,
      runs: await detector.views(decoded, looserPolicy),
      nsfw: await classifier.classify(await decoded.stretched(classifier.inputSize)),
      person: await detector.bestPersonScore(decoded),
    });
    process.stderr.write('.');
  }
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(recorded));
  return recorded;
}

const recorded: Recorded[] = process.argv.includes('--cached') && existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Recorded[]) : await record();
const byFile = new Map(recorded.map((entry) => [entry.file, entry]));
const fitHalf = images.filter((image) => image.split === 'fit');

// Detection: replay the policy exactly as the detector runs it.
const truths = new Map<string, number[]>();
const falses = new Map<string, number[]>();
const push = (map: Map<string, number[]>, name: string, score: number) => map.set(name, [...(map.get(name) ?? []), score]);
let zoomed = 0;
let tiled = 0;
for (const image of fitHalf) {
  const { runs } = byFile.get(image.file)!;
  const fused = fuseBase(runs.base);
  const zoom = needsZoomOut(fused) ? runs.zoom : undefined;
  const tiles = crowdedClasses(fused).size > 0 ? runs.tiles : undefined;
  if (needsZoomOut(fused) && !zoom) throw new Error(`${image.file}: the zoomed-out view was not recorded; loosen looserPolicy`);
  zoomed += zoom ? 1 : 0;
  tiled += tiles ? 1 : 0;
  const best = new Map<string, number>();
  for (const detection of combineViews({ base: runs.base, zoom, tiles })) {
    const name = cocoClassNames[detection.classIndex];
    best.set(name, Math.max(best.get(name) ?? 0, detection.score));
  }
  for (const name of image.classes) push(truths, name, best.get(name) ?? 0);
  for (const [name, score] of best) if (!image.classes.includes(name) && !image.ignore.includes(name)) push(falses, name, score);
}
console.log(`fit half: ${fitHalf.length} images, zoomed-out view on ${zoomed}, tiles on ${tiled}`);
console.log('| class | true (raw) | false (raw, > 0.15) | raw at floor for precision >= 0.8 |');
for (const name of [...new Set([...truths.keys(), ...falses.keys()])].sort()) {
  const trueScores = (truths.get(name) ?? []).sort((a, b) => b - a);
  const falseScores = (falses.get(name) ?? []).filter((score) => score > 0.15).sort((a, b) => b - a);
  // The lowest threshold with precision >= 0.8 on this half.
  let suggestion = 1;
  for (const threshold of [...trueScores, ...falseScores].filter((score) => score > 0).sort((a, b) => a - b)) {
    const tp = trueScores.filter((score) => score >= threshold).length;
    const fp = falseScores.filter((score) => score >= threshold).length;
    if (tp > 0 && tp / (tp + fp) >= 0.8) {
      suggestion = threshold;
      break;
    }
  }
  const list = (scores: number[]) => scores.map((score) => score.toFixed(2)).join(' ') || '-';
  console.log(`| ${name} | ${list(trueScores)} | ${list(falseScores)} | ${suggestion.toFixed(2)} |`);
}

// Moderation: agreed (weaker model's) probabilities on ordinary photos.
const agreedOf = (nsfw: NsfwVerdicts, pick: (scores: NsfwVerdicts['primary']) => number) => (nsfw.second ? Math.min(pick(nsfw.primary), pick(nsfw.second)) : 0);
const moderation = fitHalf.map((image) => {
  const { nsfw, person } = byFile.get(image.file)!;
  return {
    file: image.file,
    primaryMax: Math.max(nsfw.primary.Porn + nsfw.primary.Hentai, nsfw.primary.Sexy),
    explicit: agreedOf(nsfw, (scores) => scores.Porn + scores.Hentai),
    sexy: agreedOf(nsfw, (scores) => scores.Sexy),
    person,
  };
});
const top = (key: 'primaryMax' | 'explicit' | 'sexy') =>
  [...moderation].sort((a, b) => b[key] - a[key]).slice(0, 5).map((entry) => `${entry.file} ${entry[key].toFixed(2)} (person ${entry.person.toFixed(2)})`).join('; ');
console.log(`\nnsfwjs on the fit half (no adult content): second model run on ${moderation.filter((entry) => byFile.get(entry.file)!.nsfw.second).length}`);
console.log(`highest MobileNetV2 alone (Porn+Hentai or Sexy): ${top('primaryMax')}`);
console.log(`highest agreed Porn+Hentai: ${top('explicit')}`);
console.log(`highest agreed Sexy: ${top('sexy')}`);
