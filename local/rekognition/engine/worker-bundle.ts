/**
 * The engine worker (engine-worker.ts and all it imports) as one esbuild
 * bundle, kept in `node_modules/.cache/labelcast/vision-engine/<checkout>/` and rebuilt
 * when any file it was built from changed.
 *
 * Why: started from the TypeScript sources, the worker registered tsx's hooks
 * in its own thread and loaded every module one by one; before the models
 * even began to load it spent seconds of CPU on tsx, module resolution, the
 * CommonJS export scan of TensorFlow.js (an ESM import of a CommonJS file runs
 * cjs-module-lexer over it and over every file it re-exports, several MB) and
 * source-map caching. The stack starts one worker, and the tests start many
 * stacks. The models load and are verified exactly as before.
 *
 * Left out of the bundle:
 * - TensorFlow.js (`@tensorflow/*`): require()d from node_modules, the files
 *   Human's node-wasm build (../faces/face-analyzer.ts) requires too, so one
 *   instance of each package serves both; require() needs no export scan.
 * - nsfwjs's model modules (weights as JavaScript, up to 6 MB each):
 *   require()d from nsfwjs's directory when nsfwjs loads a model, as before;
 *   bundled, every start would parse InceptionV3's 29 MB that is never used.
 * - sharp (native): imported from node_modules.
 * Paths the worker computes at run time (the wasm binaries, Human's dist and
 * models, centernet's files) are resolved from the bundle's place inside this
 * repo's node_modules, which finds the same packages.
 *
 * Freshness: the metafile names every bundled input; their sizes and
 * modification times, with those of this module (the build options), are
 * kept beside the bundle (the packages left out are not: they load from
 * node_modules at run time) and compared at each start
 * (about a hundred stat calls); a file saved while esbuild ran is recorded as
 * changed. Engines started at once in one process share one build; concurrent
 * builds in other processes each write files of their own and rename them into
 * place: every one is a whole bundle of the same sources.
 *
 * The build runs in a short-lived node process, as function bundles do
 * (../../lambda/function-bundle.ts): esbuild's service would stay in the
 * stack's process otherwise.
 *
 * When no bundle can be built or written (a read-only node_modules), the
 * engine runs the worker from its sources under tsx instead (worker-start.ts).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { BuildOptions } from 'esbuild';
import { repoRoot } from '../../../api/bundle.ts';
import { checkoutCacheDir } from '../../../api/cached-bundle.js';
import { WorkerBundleError } from '../errors.ts';

const entry = fileURLToPath(new URL('./engine-worker.ts', import.meta.url));
const thisModule = fileURLToPath(import.meta.url);
const resolveFromRepo = createRequire(path.join(repoRoot, 'package.json')).resolve;

/** Packages require()d from node_modules (their CommonJS main entries). */
const requiredPackages = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-data',
] as const;
/** Packages imported from node_modules (their ESM entries). */
const importedPackages = ['sharp'] as const;

/** ESM output has no require(); bundled CommonJS code and the required packages need one. */
const requireShim = "import { createRequire as __engineCreateRequire } from 'node:module'; const require = __engineCreateRequire(import.meta.url);";

/**
 * What the build process runs (argv: esbuild's entry, the options as JSON, the
 * externals as JSON): the build, its metafile's inputs on stdout as JSON,
 * esbuild's error text on stderr.
 */
const buildScript = `
const [esbuildEntry, optionsJson, externalsJson] = process.argv.slice(1);
const path = await import('node:path');
const { build } = await import(esbuildEntry);
const { required, requiredUnder } = JSON.parse(externalsJson);
const plugin = {
  name: 'engine-externals',
  setup(builder) {
    // The require() inside each stand-in module below stays a require() at run time.
    builder.onResolve({ filter: /.*/, namespace: 'node-require' }, (args) => ({ path: args.path, external: true }));
    builder.onResolve({ filter: /^@tensorflow\\// }, (args) => {
      return required.includes(args.path) ? { path: args.path, namespace: 'node-require' } : undefined;
    });
    builder.onResolve({ filter: /^\\./ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      return target.startsWith(requiredUnder + path.sep) ? { path: target, namespace: 'node-require' } : undefined;
    });
    builder.onLoad({ filter: /.*/, namespace: 'node-require' }, (args) => ({ contents: 'module.exports = require(' + JSON.stringify(args.path) + ');', loader: 'js' }));
  },
};
try {
  const result = await build({ ...JSON.parse(optionsJson), plugins: [plugin] });
  process.stdout.write(JSON.stringify(Object.keys(result.metafile.inputs)));
} catch (error) {
  process.stderr.write(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
`;

/** Size and modification time of one file, as compared at each start. */
function fingerprint(file: string): string {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats ? `${stats.size}:${stats.mtimeMs}` : 'missing';
}

interface BuildRecord {
  readonly entry: string;
  /** Absolute path → fingerprint. */
  readonly inputs: Readonly<Record<string, string>>;
}

function isFresh(bundlePath: string, recordPath: string): boolean {
  if (!existsSync(bundlePath) || !existsSync(recordPath)) return false;
  let record: Partial<BuildRecord> | null;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as Partial<BuildRecord> | null;
  } catch {
    return false;
  }
  if (record?.entry !== entry || typeof record.inputs !== 'object' || record.inputs === null) return false;
  return Object.entries(record.inputs).every(([input, print]) => fingerprint(input) === print);
}


/** The builds this process is running, by cache directory, shared by engines started meanwhile. */
const building = new Map<string, Promise<string>>();

/**
 * Path of an up-to-date bundle of the engine worker, built now if needed; rejects with a WorkerBundleError
 * (then the engine runs the sources under tsx, engine.ts). `directory` replaces the cache directory (tests).
 */
export async function engineWorkerBundle(directory = checkoutCacheDir(repoRoot, 'vision-engine')): Promise<string> {
  const bundlePath = path.join(directory, 'engine-worker.mjs');
  const recordPath = path.join(directory, 'inputs.json');
  if (isFresh(bundlePath, recordPath)) return bundlePath;
  let running = building.get(directory);
  if (!running) {
    running = build(directory, bundlePath, recordPath).finally(() => building.delete(directory));
    building.set(directory, running);
  }
  return running;
}

async function build(directory: string, bundlePath: string, recordPath: string): Promise<string> {
  // Unique per build: other processes (or threads) may be building at the same time.
  const own = `${process.pid}.${randomUUID()}.tmp`;
  const ownBundle = `${bundlePath}.${own}`;
  const ownRecord = `${recordPath}.${own}`;
  const startedAt = Date.now();
  try {
    mkdirSync(directory, { recursive: true });
    const requiredUnder = realpathSync(path.join(path.dirname(resolveFromRepo('nsfwjs')), '..', 'models'));
    const options: BuildOptions = {
      absWorkingDir: repoRoot,
      entryPoints: [entry],
      outfile: ownBundle,
      bundle: true,
      write: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      metafile: true,
      external: [...importedPackages],
      banner: { js: requireShim },
      logLevel: 'silent',
    };
    const esbuildEntry = pathToFileURL(resolveFromRepo('esbuild')).href;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', buildScript, esbuildEntry, JSON.stringify(options), JSON.stringify({ required: requiredPackages, requiredUnder })],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
    );
    // Bundled files (metafile paths are relative to absWorkingDir; required ones are namespaced and not read).
    const bundled = (JSON.parse(stdout) as string[]).filter((input) => !input.includes(':')).map((input) => path.resolve(repoRoot, input));
    // A file saved while esbuild ran may be in the bundle as it was before: recorded as changed, the next start rebuilds.
    const printOf = (file: string) => ((statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= startedAt ? 'changed during the build' : fingerprint(file));
    const inputs = Object.fromEntries([thisModule, ...bundled].map((file) => [file, printOf(file)]));
    writeFileSync(ownRecord, JSON.stringify({ entry, inputs } satisfies BuildRecord));
    renameSync(ownBundle, bundlePath);
    renameSync(ownRecord, recordPath);
    return bundlePath;
  } catch (error) {
    // Nothing to clean up where nothing could be written (a directory that cannot be made).
    for (const own of [ownBundle, ownRecord]) {
      try {
        rmSync(own, { force: true });
      } catch {
        // left as it is
      }
    }
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new WorkerBundleError(`could not bundle the vision engine worker: ${stderr || (error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
}
