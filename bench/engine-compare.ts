/**
 * `npx tsx bench/engine-compare.ts [git-ref]`: the vision engine of this tree
 * against the one of an earlier commit (default: the engine before issue 16,
 * mirror-fused centernet and one nsfwjs model), both loaded in this process
 * (each in its own worker) and called in turns on the same photos, so a busy
 * machine slows both alike. Reports per photo the median wall time and the
 * median process CPU time (`process.cpuUsage()`, every thread: only one
 * engine works at a time) of the labeler's two calls (DetectLabels with
 * faces, DetectModerationLabels, concurrently as the stack serves them), and
 * the ratios now / before. The budget is a ratio of at most 1.2.
 * `-- <ref> --people` adds every photo of the evaluation set with a person in
 * it (the face pass runs on those), three turns each, and their total.
 *
 * The earlier tree (package.json, tsconfig.json, api/, local/) is extracted with `git archive` into a temporary directory
 * (node_modules linked from this one) and removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { repoRoot } from '../api/bundle.ts';
import { startVisionEngine, type VisionEngine } from '../local/rekognition/engine/engine.ts';
import { imageBytes, loadEvalSet } from './labels/eval-set.ts';
import { photoOfWidth } from './lib/images.ts';

/** The last commit before issue 16's vision work (ebf7c2f). */
const defaultReference = 'ebf7c2f^1';
const reference = process.argv.slice(2).find((argument) => !argument.startsWith('--')) ?? defaultReference;
const withPeople = process.argv.includes('--people');
const rounds = 9;
const peopleRounds = 3;

const earlierTree = mkdtempSync(path.join(os.tmpdir(), 'labelcast-engine-'));
try {
  execFileSync('sh', ['-c', `git -C "$1" archive "$2" package.json tsconfig.json api local | tar -x -C "$3"`, 'sh', repoRoot, reference, earlierTree]);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(earlierTree, 'node_modules'));
  const earlierModule = (await import(pathToFileURL(path.join(earlierTree, 'local/rekognition/engine/engine.ts')).href)) as { startVisionEngine: (options?: { analysisCacheBytes?: number }) => VisionEngine };

  const photos: Record<string, Buffer> = {
    '640 px photo (cat, the engine row)': await photoOfWidth(640),
    '640 px people photo (astronaut)': await sharp(readFileSync(path.join(repoRoot, 'tests/fixtures/astronaut.jpg'))).resize({ width: 640 }).jpeg({ quality: 90 }).toBuffer(),
  };
  // The analysis cache off (an earlier tree's engine ignores the option, or has no cache): every turn repeats the photo.
  const engines = { before: earlierModule.startVisionEngine({ analysisCacheBytes: 0 }), now: startVisionEngine({ analysisCacheBytes: 0 }) };
  await Promise.all([engines.before.ready, engines.now.ready]);

  const bothCalls = (engine: VisionEngine, bytes: Buffer) =>
    Promise.all([engine.analyze(bytes, { objects: true, moderation: false, faces: true }), engine.analyze(bytes, { objects: false, moderation: true })]);
  const measure = async (engine: VisionEngine, bytes: Buffer) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await bothCalls(engine, bytes);
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

  console.log(`engine now vs ${reference}: median of ${rounds} turns each, both calls`);
  console.log('| photo | before wall / CPU ms | now wall / CPU ms | ratio wall | ratio CPU |');
  console.log('|---|---|---|---|---|');
  const compareOn = async (bytes: Buffer, turns: number) => {
    // Warm-up: first inferences and the face models' load.
    for (const engine of [engines.before, engines.now]) await bothCalls(engine, bytes);
    const runs = { before: [] as { wallMs: number; cpuMs: number }[], now: [] as { wallMs: number; cpuMs: number }[] };
    for (let round = 0; round < turns; round += 1) {
      // Alternate which engine goes first, so neither always runs on a warmer cache.
      const order = round % 2 === 0 ? (['before', 'now'] as const) : (['now', 'before'] as const);
      for (const which of order) runs[which].push(await measure(engines[which], bytes));
    }
    const at = (which: 'before' | 'now', pick: 'wallMs' | 'cpuMs') => median(runs[which].map((run) => run[pick]));
    return { beforeWall: at('before', 'wallMs'), beforeCpu: at('before', 'cpuMs'), nowWall: at('now', 'wallMs'), nowCpu: at('now', 'cpuMs') };
  };
  const row = (name: string, result: Awaited<ReturnType<typeof compareOn>>) =>
    console.log(
      `| ${name} | ${result.beforeWall.toFixed(0)} / ${result.beforeCpu.toFixed(0)} | ${result.nowWall.toFixed(0)} / ${result.nowCpu.toFixed(0)} | ` +
        `${(result.nowWall / result.beforeWall).toFixed(2)} | ${(result.nowCpu / result.beforeCpu).toFixed(2)} |`,
    );
  for (const [name, bytes] of Object.entries(photos)) row(name, await compareOn(bytes, rounds));
  if (withPeople) {
    const total = { beforeWall: 0, beforeCpu: 0, nowWall: 0, nowCpu: 0 };
    for (const image of loadEvalSet().filter((entry) => entry.classes.includes('person'))) {
      const result = await compareOn(imageBytes(image), peopleRounds);
      row(image.file, result);
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += result[key];
    }
    row('all photos of people in the evaluation set (sum of medians)', total);
  }
  await Promise.all([engines.before.close(), engines.now.close()]);
} finally {
  rmSync(earlierTree, { recursive: true, force: true });
}
