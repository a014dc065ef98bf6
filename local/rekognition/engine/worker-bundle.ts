/**
 * The engine worker (engine-worker.ts and all it imports) as one esbuild
 * bundle with its source map, kept in the bundle cache
 * (api/cached-bundle.js, `node_modules/.cache/labelcast/vision-engine/<checkout>/`)
 * and rebuilt when a file it was built from, an option, esbuild or node
 * changed.
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
 * The source map beside it makes the worker's stack traces name our .ts
 * files when the stack runs with `node --enable-source-maps` (the worker
 * keeps the stack's node flags, worker-start.ts). It is not turned on for
 * every start: node would then also read TensorFlow.js's own maps, several
 * MB, about 0.15 s of CPU per start.
 *
 * Engines started at once in one process share one build. The build runs in
 * a short-lived node process, as the functions' do
 * (../../lambda/function-bundle.ts): esbuild's service would stay in the
 * stack's process otherwise.
 *
 * When no bundle can be built or written (a read-only node_modules), the
 * engine runs the worker from its sources under tsx instead (worker-start.ts).
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../../api/bundle.ts';
import { cachedBundles, checkoutCacheDir } from '../../../api/cached-bundle.js';
import { WorkerBundleError } from '../errors.ts';

const entry = fileURLToPath(new URL('./engine-worker.ts', import.meta.url));

/** Packages require()d from node_modules (their CommonJS main entries). */
const requiredPackages = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-converter',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-data',
];
/** Packages imported from node_modules (their ESM entries). */
const importedPackages = ['sharp'];

/** ESM output has no require(); bundled CommonJS code and the required packages need one. */
const requireShim = "import { createRequire as __engineCreateRequire } from 'node:module'; const require = __engineCreateRequire(import.meta.url);";

/**
 * Path of an up-to-date bundle of the engine worker (its source map beside it), built now if needed; rejects with a
 * WorkerBundleError (then the engine runs the sources under tsx, worker-start.ts). `directory` replaces the cache
 * directory (tests).
 */
export async function engineWorkerBundle(directory = checkoutCacheDir(repoRoot, 'vision-engine')): Promise<string> {
  try {
    const nsfwModels = realpathSync(path.join(path.dirname(createRequire(path.join(repoRoot, 'package.json')).resolve('nsfwjs')), '..', 'models'));
    const { files } = await cachedBundles({
      repoRoot,
      cacheDir: directory,
      buildIn: 'child-process',
      entries: { 'engine-worker': entry },
      target: `node${process.versions.node}`,
      external: importedPackages,
      requireStandIns: { packages: requiredPackages, under: [nsfwModels] },
      sourceMap: true,
      banner: requireShim,
    });
    return files['engine-worker'];
  } catch (error) {
    throw new WorkerBundleError(`could not bundle the vision engine worker: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
