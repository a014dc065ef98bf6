/**
 * `npx tsx bench/labels-record-views.ts`: runs EVERY view of the object
 * detector (the letterboxed image and its mirror, the zoomed-out view, the
 * 2 × 2 tiles, and the candidate views below) on each image of tests/fixtures/eval, whether or not the view
 * policy would run it, and records the raw detections of each view in
 * bench/results/labels-views.json. bench/labels-fit.ts replays candidate view
 * policies, suppression and calibration on these recordings (fit half only),
 * without running the models again.
 *
 * Resumable: images already in the file are kept (delete the files after a
 * model or decode change). `-- <i>/<n>` records every n-th image from the
 * i-th into labels-views.<i>.json, so n processes can share the work;
 * labels-fit.ts reads them all.
 *
 * `-- --lean` records only what the shipped policy and the fits of
 * calibration.ts need, about 4 detector runs an image instead of 11: the
 * plain views, both zoomed-out views on every image (so a fit can still try
 * zooming out on more photos), the tiles only where the trigger of issue 16's
 * second session ran them (3 small instances at raw 0.3), and no candidate views (labels-compare-views.ts's rows that use them,
 * and its rows with other tile triggers, then fall back to nothing).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { decodeImage } from '../local/rekognition/engine/decode.ts';
import { loadObjectDetector } from '../local/rekognition/engine/object-detector.ts';
import type { ViewSpec } from '../local/rekognition/engine/decode.ts';
import { viewPolicy } from '../local/rekognition/engine/views.ts';
import type { RawDetection } from '../local/rekognition/engine/fusion.ts';
import type { RecordedViews } from './labels/replay.ts';
import { imageBytes, loadEvalSet } from './labels/eval-set.ts';

/** Every view runs: the zoomed-out view below any score, the tiles for any class seen. */
const everyView = { ...viewPolicy, zoomOutBelow: Number.POSITIVE_INFINITY, crowdMin: 1, crowdScore: 0, crowdMaxArea: 1 };

/**
 * Views the shipped policy does not run, recorded so a fit can try them:
 * the zoomed-out views mirrored (agreement), and zoomed out less.
 */
const candidateViews: Record<string, { readonly spec: ViewSpec; readonly mirrored: boolean }> = {
  zoomMirror: { spec: { fill: viewPolicy.zoomFill }, mirrored: true },
  zoomFarMirror: { spec: { fill: 0.4 }, mirrored: true },
  zoomNear: { spec: { fill: 0.8 }, mirrored: false },
};

const directory = path.join(repoRoot, 'bench/results');
const lean = process.argv.includes('--lean');
const shard = /^(\d+)\/(\d+)$/.exec(process.argv.slice(2).find((argument) => !argument.startsWith('--')) ?? '');
const [index, count] = shard ? [Number(shard[1]), Number(shard[2])] : [0, 1];
const file = path.join(directory, shard ? `labels-views.${index}.json` : 'labels-views.json');
mkdirSync(directory, { recursive: true });
const recorded = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RecordedViews[]) : [];
const done = new Set(recorded.map((entry) => entry.file));
const detector = await loadObjectDetector();
for (const image of loadEvalSet().filter((entry, position) => position % count === index && !done.has(entry.file))) {
  const decoded = await decodeImage(imageBytes(image), { maxPixels: 100_000_000 });
  const views = await detector.views(decoded, lean ? { ...viewPolicy, zoomOutBelow: Number.POSITIVE_INFINITY, crowdMin: 3 } : everyView);
  const candidates: Record<string, RawDetection[]> = {};
  if (!lean) for (const [name, { spec, mirrored }] of Object.entries(candidateViews)) candidates[name] = await detector.detectView(decoded, spec, mirrored);
  recorded.push({ file: image.file, split: image.split, width: decoded.width, height: decoded.height, views: { base: views.base, zoom: views.zoom ?? [], zoomFar: views.zoomFar ?? [], tiles: views.tiles ?? [] }, candidates });
  writeFileSync(file, `${JSON.stringify(recorded)}\n`);
  process.stderr.write('.');
}
console.log(`\nrecorded the views of ${recorded.length} images in ${path.relative(repoRoot, file)}`);
