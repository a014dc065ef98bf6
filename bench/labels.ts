/**
 * `npm run bench:labels`: runs the local Rekognition's vision engine on the
 * evaluation set (tests/fixtures/eval, see its README) and reports, for the
 * held-out half and for the half the calibration was fitted on:
 *   - per-class recall and precision at DetectLabels' default floor (55),
 *   - the false-flag rate: share of images with a moderation label >= 50
 *     (the set has no adult content, so every flag is false),
 *   - the mean number of labels an image gets,
 *   - the engine's latency.
 * Prints a summary and writes bench/results/labels.json (the detections and
 * nsfwjs verdicts in bench/results/labels-raw.json; the per-class floors are
 * fitted from bench/labels-record-views.ts's recordings by bench/labels-fit.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { startVisionEngine } from '../local/rekognition/engine/engine.ts';
import type { ImageAnalysis } from '../local/rekognition/engine/messages.ts';
import { labelsFromObjects } from '../local/rekognition/labels.ts';
import { moderationFromNsfw } from '../local/rekognition/moderation.ts';
import { defaultMinConfidence } from '../local/rekognition/operations/detect-labels.ts';
import { defaultModerationMinConfidence } from '../local/rekognition/operations/detect-moderation-labels.ts';
import { imageBytes, loadEvalSet, type Split } from './labels/eval-set.ts';
import { scoreOutcomes, type ImageOutcome, type SplitScore } from './labels/score.ts';
import { photoOfWidth } from './lib/images.ts';

// The analysis cache off: the latency rows repeat one photo, and they measure the models, not the cache.
const engine = startVisionEngine({ analysisCacheBytes: 0 });
const loadStarted = performance.now();
const info = await engine.ready;
const rssAfterLoadMiB = process.memoryUsage().rss / 1024 / 1024;
console.error(`[bench:labels] models loaded in ${(performance.now() - loadStarted).toFixed(0)} ms (${info.models.join(', ')})`);

/** Both calls the labeler makes (DetectLabels, DetectModerationLabels), concurrently, as the stack serves them. */
const analyzeBoth = async (bytes: Uint8Array) => {
  const [objects, moderation] = await Promise.all([engine.analyze(bytes, { objects: true, moderation: false }), engine.analyze(bytes, { objects: false, moderation: true })]);
  return { objects: objects.objects ?? [], nsfw: moderation.nsfw };
};

const photo640 = await photoOfWidth(640);
await analyzeBoth(photo640);
const runs: number[] = [];
for (let run = 0; run < 7; run += 1) {
  const started = performance.now();
  await analyzeBoth(photo640);
  runs.push(performance.now() - started);
}
const warm640Ms = runs.sort((a, b) => a - b)[3];

const images = loadEvalSet();
const outcomes: ImageOutcome[] = [];
const raw: { file: string; split: Split; objects: ImageAnalysis['objects']; nsfw: ImageAnalysis['nsfw'] }[] = [];
const perImageMs: number[] = [];
for (const image of images) {
  const started = performance.now();
  const { objects, nsfw } = await analyzeBoth(imageBytes(image));
  perImageMs.push(performance.now() - started);
  if (!nsfw) throw new Error('the engine returned no moderation scores');
  const classConfidence = new Map<string, number>();
  for (const object of objects) classConfidence.set(object.className, Math.max(classConfidence.get(object.className) ?? 0, object.confidence));
  const moderation = moderationFromNsfw(nsfw, 0);
  outcomes.push({
    image,
    classConfidence,
    moderationConfidence: Math.max(0, ...moderation.ModerationLabels.map((label) => label.Confidence ?? 0)),
    labelCount: labelsFromObjects(objects, { minConfidence: defaultMinConfidence }).length,
  });
  raw.push({ file: image.file, split: image.split, objects, nsfw });
}
await engine.close();

const scores: Record<Split, SplitScore> = {
  heldout: scoreOutcomes(outcomes.filter((outcome) => outcome.image.split === 'heldout'), defaultMinConfidence, defaultModerationMinConfidence),
  fit: scoreOutcomes(outcomes.filter((outcome) => outcome.image.split === 'fit'), defaultMinConfidence, defaultModerationMinConfidence),
};
const latency = {
  warm640pxMs: warm640Ms,
  meanPerEvalImageMs: perImageMs.reduce((sum, ms) => sum + ms, 0) / perImageMs.length,
  modelLoadMs: info.loadMs,
  rssAfterLoadMiB,
};

const percent = (value: number | null) => (value === null ? '   -' : `${(value * 100).toFixed(0).padStart(3)}%`);
for (const split of ['heldout', 'fit'] as const) {
  const score = scores[split];
  console.log(`\n${split === 'heldout' ? 'HELD-OUT half (never used for fitting)' : 'FIT half (the calibration was fitted on it)'}: ${score.images} images, floor ${score.floor}`);
  console.log('| class | present | recall | precision |');
  console.log('|---|---|---|---|');
  for (const [name, value] of Object.entries(score.classes)) console.log(`| ${name} | ${value.present} | ${percent(value.recall)} | ${percent(value.precision)} |`);
  console.log(`all classes: recall ${percent(score.recall)}, precision ${percent(score.precision)}`);
  console.log(`false-flag rate (moderation >= ${defaultModerationMinConfidence}): ${percent(score.falseFlagRate)} ${score.flagged.join('; ')}`);
  console.log(`mean labels per image: ${score.meanLabelsPerImage.toFixed(2)}`);
  if (split === 'heldout') {
    console.log(`misses: ${score.misses.join('; ') || 'none'}`);
    console.log(`false positives: ${score.falsePositives.join('; ') || 'none'}`);
  }
}
console.log(`\nengine: warm latency, 640 px photo (both calls) ${warm640Ms.toFixed(0)} ms; mean per eval image ${latency.meanPerEvalImageMs.toFixed(0)} ms; model load ${info.loadMs} ms; RSS after load ${rssAfterLoadMiB.toFixed(0)} MiB`);

const directory = path.join(repoRoot, 'bench/results');
mkdirSync(directory, { recursive: true });
const file = path.join(directory, 'labels.json');
writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), models: info.models, latency, ...scores }, null, 2)}\n`);
writeFileSync(path.join(directory, 'labels-raw.json'), `${JSON.stringify(raw)}\n`);
console.log(`results: ${file}`);
