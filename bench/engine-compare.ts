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
import { photoOfWidth } from './lib/images.ts';

/** The last commit before issue 16's vision work (ebf7c2f). */
const defaultReference = 'ebf7c2f^1';
const reference = process.argv[2] ?? defaultReference;
const rounds = 9;

const earlierTree = mkdtempSync(path.join(os.tmpdir(), 'labelcast-engine-'));
try {
  execFileSync('sh', ['-c', `git -C "$1" archive "$2" package.json tsconfig.json api local | tar -x -C "$3"`, 'sh', repoRoot, reference, earlierTree]);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(earlierTree, 'node_modules'));
  const earlierModule = (await import(pathToFileURL(path.join(earlierTree, 'local/rekognition/engine/engine.ts')).href)) as { startVisionEngine: () => VisionEngine };

  const photos: Record<string, Buffer> = {
    '640 px photo (cat, the engine row)': await photoOfWidth(640),
    '640 px people photo (astronaut)': await sharp(readFileSync(path.join(repoRoot, 'tests/fixtures/astronaut.jpg'))).resize({ width: 640 }).jpeg({ quality: 90 }).toBuffer(),
  };
  const engines = { before: earlierModule.startVisionEngine(), now: startVisionEngine() };
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
  for (const [name, bytes] of Object.entries(photos)) {
    // Warm-up: first inferences and the face models' load.
    for (const engine of [engines.before, engines.now]) await bothCalls(engine, bytes);
    const runs = { before: [] as { wallMs: number; cpuMs: number }[], now: [] as { wallMs: number; cpuMs: number }[] };
    for (let round = 0; round < rounds; round += 1) {
      // Alternate which engine goes first, so neither always runs on a warmer cache.
      const order = round % 2 === 0 ? (['before', 'now'] as const) : (['now', 'before'] as const);
      for (const which of order) runs[which].push(await measure(engines[which], bytes));
    }
    const at = (which: 'before' | 'now', pick: 'wallMs' | 'cpuMs') => median(runs[which].map((run) => run[pick]));
    console.log(
      `| ${name} | ${at('before', 'wallMs').toFixed(0)} / ${at('before', 'cpuMs').toFixed(0)} | ${at('now', 'wallMs').toFixed(0)} / ${at('now', 'cpuMs').toFixed(0)} | ` +
        `${(at('now', 'wallMs') / at('before', 'wallMs')).toFixed(2)} | ${(at('now', 'cpuMs') / at('before', 'cpuMs')).toFixed(2)} |`,
    );
  }
  await Promise.all([engines.before.close(), engines.now.close()]);
} finally {
  rmSync(earlierTree, { recursive: true, force: true });
}
