/**
 * What a function's source map costs the process that runs it, once a stack trace names a frame of its bundle:
 * `npx tsx bench/source-map-cost.ts` (RUNS=5 by default). It builds the labeler as the offline stack builds it
 * (local/lambda/function-bundle.ts), then runs it in fresh node processes with the flags the local runtime gives it
 * (--enable-source-maps and the 512 MB function's heap flags, node-flags.ts), each measuring V8's heap (after a
 * full collection) and its RSS before and after reading the stack of an Error made inside the handler. With
 * --enable-source-maps node reads the map's JSON when it loads the bundle and decodes its mappings at the first
 * stack trace that names it; what that holds stays for the process's life. Prints the medians, as JSON.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from '../api/bundle.ts';
import { lambdaFunctions } from '../api/manifest.ts';
import { bundleFunctions } from '../local/lambda/function-bundle.ts';
import { lambdaNodeFlags } from '../local/lambda/node-flags.ts';

const runs = Number(process.env.RUNS ?? 5);
const spec = lambdaFunctions.labeler;

/**
 * Runs in the function's process: imports the bundle, then calls its handler with an event whose first property
 * read makes an Error and reads its stack (the read comes from the handler's code, so the stack names the bundle).
 */
const probe = `
import { pathToFileURL } from 'node:url';
const mib = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const measure = () => { globalThis.gc(); globalThis.gc(); const { heapUsed, rss } = process.memoryUsage(); return { heapMiB: mib(heapUsed), rssMiB: mib(rss) }; };
const { handler } = await import(pathToFileURL(process.argv[2]).href);
const before = measure();
let stack = '';
let cpu;
const event = new Proxy({}, { get() {
  const started = process.cpuUsage();
  stack = new Error('probe').stack;
  cpu = process.cpuUsage(started);
  throw new Error('stop');
} });
await handler(event).catch(() => undefined);
const after = measure();
console.log(JSON.stringify({ before, after, stackCpuMs: Math.round((cpu.user + cpu.system) / 100) / 10, frames: stack.split('\\n').slice(1, 4).map((line) => line.trim()) }));
`;

interface Sample {
  readonly before: { readonly heapMiB: number; readonly rssMiB: number };
  readonly after: { readonly heapMiB: number; readonly rssMiB: number };
  readonly stackCpuMs: number;
  readonly frames: readonly string[];
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-source-map-cost-'));
try {
  const bundles = await bundleFunctions({ entries: { labeler: path.join(repoRoot, spec.entry) }, outDir: workDir, nativeModules: [...spec.nativeModules] });
  const bundle = bundles.handlers.labeler!;
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[]; sourceRoot?: string };
  const sourceFiles = map.sources.map((source) => fileURLToPath(new URL(source, map.sourceRoot ?? pathToFileURL(bundle).href)));
  const probeFile = path.join(workDir, 'probe.mjs');
  writeFileSync(probeFile, probe);
  // Enough of the deployed environment for the handler's module to load (nothing is called).
  const env = { ...process.env, AWS_REGION: 'us-east-1', IMAGES_TABLE: 'images', APPSYNC_URL: 'https://127.0.0.1:1/graphql', DETECT_IMAGE_PROPERTIES: 'false', POWERTOOLS_SERVICE_NAME: 'labeler' };
  const samples: Sample[] = [];
  for (let run = 0; run < runs; run += 1) {
    const output = execFileSync(process.execPath, ['--enable-source-maps', ...lambdaNodeFlags(spec.memoryMb), probeFile, bundle], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    samples.push(JSON.parse(output.trim().split('\n').at(-1)!) as Sample);
  }
  const of = (pick: (sample: Sample) => number) => median(samples.map(pick));
  console.log(
    JSON.stringify(
      {
        node: process.version,
        runs,
        map: { bytes: statSync(`${bundle}.map`).size, sources: map.sources.length, nodeModulesSources: sourceFiles.filter((file) => file.split(path.sep).includes('node_modules')).length },
        heapMiB: { before: of((s) => s.before.heapMiB), after: of((s) => s.after.heapMiB), delta: of((s) => s.after.heapMiB - s.before.heapMiB) },
        rssMiB: { before: of((s) => s.before.rssMiB), after: of((s) => s.after.rssMiB), delta: of((s) => s.after.rssMiB - s.before.rssMiB) },
        stackCpuMs: of((s) => s.stackCpuMs),
        frames: samples[0]?.frames,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
