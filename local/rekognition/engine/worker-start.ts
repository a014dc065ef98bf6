/**
 * How the engine worker thread is started: from the cached bundle of its
 * sources (worker-bundle.ts), or, when no bundle can be built or kept (a
 * read-only node_modules, a failed build), from the TypeScript sources
 * through tsx, as before the bundle existed. Both run the same code.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';
import { engineWorkerBundle } from './worker-bundle.ts';

/** What `new Worker(filename, options)` takes: where the worker runs from, and how. */
export interface WorkerStart {
  /** `bundle`: the cached bundle; `sources`: engine-worker.ts under tsx (the fallback). */
  readonly from: 'bundle' | 'sources';
  readonly filename: string;
  /** eval and execArgv for the chosen start; the caller adds workerData and limits. */
  readonly options: Pick<WorkerOptions, 'eval' | 'execArgv'>;
}

const workerUrl = new URL('./engine-worker.ts', import.meta.url).href;

/** Node flags that preload modules or install module hooks, with their values (`--import tsx` when the stack runs under tsx). */
const moduleHookFlags = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * The process's flags minus module hooks: the bundle is plain JavaScript, and
 * tsx's require hook in the worker scanned every TensorFlow.js file it loaded
 * (about 1 s of CPU). Other flags (--cpu-prof, memory limits) still apply,
 * but not to the tests' shared engine, whose worker runs with no node flags
 * (hostConfig, tests/support/shared-vision-engine.ts).
 */
export function withoutModuleHooks(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const flag = execArgv[index];
    if (moduleHookFlags.has(flag)) index++;
    else if (!moduleHookFlags.has(flag.split('=')[0])) kept.push(flag);
  }
  return kept;
}

/** File URL of a package subpath's `import` entry (createRequire would pick its `require` one). */
function esmEntryOf(name: string, subpath: string): string {
  const manifestPath = createRequire(import.meta.url).resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const entry = manifest.exports[subpath]?.import?.default;
  if (!entry) throw new Error(`${name} has no ESM entry for ${subpath}`);
  return pathToFileURL(path.join(path.dirname(manifestPath), entry)).href;
}

/**
 * A worker script (for `eval: true`) that runs the TypeScript module at `moduleUrl`. Node 20 ignores
 * `--import tsx` in a worker's execArgv, so it registers tsx's ESM hooks inside the worker and then
 * imports the module; this works under tsx, vitest and plain node alike.
 */
export function tsxWorkerScript(moduleUrl: string): string {
  return `import(${JSON.stringify(esmEntryOf('tsx', './esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl)}); });`;
}

/**
 * The engine worker's start: its bundle when one is (or can now be) in the cache, its sources under tsx
 * otherwise. `bundle` is worker-bundle.ts's engineWorkerBundle (a seam for tests).
 */
export async function engineWorkerStart(bundle: () => Promise<string> = engineWorkerBundle): Promise<WorkerStart> {
  try {
    return { from: 'bundle', filename: await bundle(), options: { execArgv: withoutModuleHooks(process.execArgv) } };
  } catch {
    // The bundle is an optimisation (about 1 s of CPU a start): without it the worker runs as it always could.
    return { from: 'sources', filename: tsxWorkerScript(workerUrl), options: { eval: true } };
  }
}
