/**
 * Bundles of programs of this repo (entry files and all they import, ./bundle-build.js), kept in a cache directory
 * under `node_modules/.cache/labelcast/` and built again only when what they are built from changed. Used by the
 * stack's launcher (local/start.js), the CLI's (client-example/cli/cli-bundle.js), the engine worker
 * (local/rekognition/engine/worker-bundle.ts) and the local Lambda functions (local/lambda/function-bundle.ts).
 *
 * Why: started under tsx, a program pays for tsx (its loader thread, a transform of every TypeScript file) and for
 * loading hundreds of modules one by one at each start (about 3.7 s of CPU for a CLI command, about 2 s for the
 * offline stack); and building the functions as a deploy does cost each stack start about 2.5 s of CPU in esbuild.
 * The tests start many stacks.
 *
 * A cache directory:
 *   record.json   the current build: the key it was built for, its directory's name, its inputs' fingerprints
 *   build-<id>/   the files of one build (bundles, source maps): complete before it gets this name, never written after
 *   tmp-<id>/     a build under way, its own (builds in other threads and processes may run at the same time)
 *   lock-<key>    held by the process building that key (./build-lock.js: its pid and a token of its own, touched
 *                 each second while it builds): others wait for its record instead of building too
 *
 * Key: a SHA-256 of the build's settings (entries, options, the files of the packages imported by path), esbuild's
 * version, node's, this format and the builder's code (./bundle-build.js, ./esbuild-looked-up.js, ./own-source-map.js): a change to any
 * of them is another build. Inputs: every file esbuild read (its metafile), and what it looked up besides
 * (./esbuild-looked-up.js: the tsconfig.json files and those they extend, the package.json files, present or not;
 * the listings of our sources' directories), by size, modification and change time, compared at each start (one
 * stat each: a few ms for a thousand), so an edit, a tsconfig.json change, a new file an import now resolves to or
 * an `npm install` builds again.
 *
 * Builders of one key in other processes wait for the one holding its lock and take its build. Two may still build
 * at once (two keys, a build that was not kept, a lock left by a crash or untouched for 2 minutes), each renaming
 * its own directory into place and then the record (which names it):
 *
 *   A: build into tmp-A ............ tmp-A → build-A ... record → A
 *   B:       build into tmp-B ........... tmp-B → build-B ........... record → B
 *
 * Whatever the order, the record names one whole directory, written by one build, and is replaced in one rename: a
 * reader never pairs one build's bundle with another's source map or inputs. (Renaming a bundle and an inputs file
 * into place one after the other could leave A's bundle with B's inputs.)
 *
 * Settled: an input changed (by its change time, which no tool sets back, unlike the modification time `cp -p`
 * keeps) less than 2 s before the build started, or during it, may or may not be in it: that build is used once and
 * not recorded, and the next start builds again.
 *
 * Old builds: after each build, every other build directory is removed once nobody used it for 10 minutes, whether
 * the record names it or not (each use touches its directory; a reader is done with a build within seconds: the
 * stack imports it, the engine starts its worker, the Lambda runtime links the functions' files into its state
 * directory; a record left naming no directory is no build, and the next start builds again). It is renamed away
 * before it is deleted, so a reader finds a whole build or none. What the layout before the record left (a bundle,
 * its map, inputs.json, `*.tmp` builds) goes too, once untouched for 10 minutes. Locks are removed only by their holder, or by a builder that
 * finds the holder dead or its lock untouched for 2 minutes, and then only if it still holds what was judged.
 *
 * No cache: when the directory cannot be made or written (a read-only node_modules), the build fails with a
 * BundleCacheError (the launchers then run the sources under tsx), or is made where the caller says (uncachedDir).
 *
 * Plain JavaScript, like the launchers that use it (node runs them without a loader).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { oneBuildAtATime } from './build-lock.js';
import { buildBundles, buildBundlesInChild } from './bundle-build.js';
import { BundleCacheError } from './bundle-errors.js';

/** Bumped when the record or the layout changes, so older records are not read as this one. */
const cacheFormat = 4;

/** An input changed this recently before a build may or may not be in it (timestamps are coarse on some file systems). */
const settledMs = 2000;

/** How long a build other than the one just made is kept after its last use. */
const unusedGraceMs = 10 * 60_000;

const recordName = 'record.json';
const buildPrefix = 'build-';
const tmpPrefix = 'tmp-';
const trashPrefix = 'trash-';
const lockPrefix = 'lock-';

/** Size, modification and change time of one input (its stats, undefined when missing), as compared at each start. */
const fingerprintOf = (stats) => (stats ? `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}` : 'missing');

const statOf = (file) => statSync(file, { throwIfNoEntry: false });

/**
 * The directory of the recorded build of `key` when every input is as recorded, touched (in use); else undefined.
 * @param {string} cacheDir
 * @param {string} key
 * @returns {string | undefined}
 */
function recordedBuild(cacheDir, key) {
  let record;
  try {
    record = JSON.parse(readFileSync(path.join(cacheDir, recordName), 'utf8'));
  } catch {
    return undefined;
  }
  if (record?.format !== cacheFormat || record.key !== key || typeof record.build !== 'string') return undefined;
  if (!record.build.startsWith(buildPrefix) || path.basename(record.build) !== record.build) return undefined;
  if (typeof record.inputs !== 'object' || record.inputs === null) return undefined;
  if (!Object.entries(record.inputs).every(([input, print]) => fingerprintOf(statOf(input)) === print)) return undefined;
  const directory = path.join(cacheDir, record.build);
  try {
    const now = new Date();
    utimesSync(directory, now, now);
  } catch {
    // A read-only cache cannot be touched, nor cleaned up: its build stays.
    if (!existsSync(directory)) return undefined;
  }
  return directory;
}

/**
 * Whether an entry of a cache directory is what its layout before the record left: a bundle, its map and
 * inputs.json in the cache directory itself, builds under way there (`build.<pid>.tmp`) or beside it
 * (`<cache directory>.build.<pid>.<uuid>.tmp`, removeOldLayoutBuilds).
 * @param {string} name
 */
const oldLayoutFile = (name) => name === 'inputs.json' || name.endsWith('.mjs') || name.endsWith('.mjs.map') || name.endsWith('.tmp');

/**
 * Removes the old layout's builds under way beside `cacheDir` (oldLayoutFile), once untouched for unusedGraceMs.
 * @param {string} cacheDir
 */
function removeOldLayoutBuilds(cacheDir) {
  const prefix = `${path.basename(cacheDir)}.build.`;
  let names;
  try {
    names = readdirSync(path.dirname(cacheDir)).filter((name) => name.startsWith(prefix) && name.endsWith('.tmp'));
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(path.dirname(cacheDir), name);
    try {
      if (Date.now() - statSync(file).mtimeMs >= unusedGraceMs) rmSync(file, { recursive: true, force: true });
    } catch {
      // left for a later build to remove
    }
  }
}

/**
 * Removes the builds of `cacheDir` unused for unusedGraceMs, but `current`; what crashed builds and removals left;
 * and what the old layout left (oldLayoutFile). Not locks: only their holder removes one, or a builder that finds
 * its holder dead or hung (build-lock.js: lockFreed). Best effort: another process may be removing the same, or the directory may
 * be read-only.
 * @param {string} cacheDir
 * @param {string} current the name of the build just made
 */
function removeUnused(cacheDir, current) {
  let names;
  try {
    names = readdirSync(cacheDir);
  } catch {
    return;
  }
  removeOldLayoutBuilds(cacheDir);
  const now = Date.now();
  for (const name of names) {
    if (name === current) continue;
    const file = path.join(cacheDir, name);
    try {
      if (oldLayoutFile(name)) {
        if (now - statSync(file).mtimeMs >= unusedGraceMs) rmSync(file, { recursive: true, force: true });
      } else if (name.startsWith(buildPrefix) || name.startsWith(tmpPrefix)) {
        if (now - statSync(file).mtimeMs < unusedGraceMs) continue;
        // Out of reach first (one rename), then deleted: a reader finds the whole build or nothing.
        const trash = path.join(cacheDir, `${trashPrefix}${randomUUID()}`);
        renameSync(file, trash);
        rmSync(trash, { recursive: true, force: true });
      } else if (name.startsWith(trashPrefix)) {
        rmSync(file, { recursive: true, force: true });
      }
    } catch {
      // left for a later build to remove
    }
  }
}

/**
 * Runs a step that writes the cache; its failure is a BundleCacheError.
 * @template T
 * @param {string} what
 * @param {() => T} step
 * @returns {T}
 */
function cacheStep(what, step) {
  try {
    return step();
  } catch (error) {
    throw new BundleCacheError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Builds into a directory of its own, renames it into place, and records it when its inputs were settled.
 * @param {string} cacheDir
 * @param {string} key
 * @param {import('./cached-bundle.js').Build} build
 * @returns {Promise<import('./cached-bundle.js').CachedBuild>}
 */
async function buildAndKeep(cacheDir, key, build) {
  const id = `${Date.now().toString(36)}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const ownDir = path.join(cacheDir, `${tmpPrefix}${id}`);
  const buildDir = path.join(cacheDir, `${buildPrefix}${id}`);
  cacheStep(`cannot make the cache directory ${cacheDir}`, () => mkdirSync(ownDir, { recursive: true }));
  try {
    const startedMs = Date.now();
    const { inputs, lookedUp = [] } = await build(ownDir, buildDir);
    const stats = [...inputs, ...lookedUp].map((input) => [input, statOf(input)]);
    const unchangedSince = (stats_) => Math.max(stats_.mtimeMs, stats_.ctimeMs) < startedMs - settledMs;
    // An input read is there; a file looked up may be missing (then its appearing builds again).
    const settled =
      stats.slice(0, inputs.length).every(([, stats_]) => stats_ !== undefined && unchangedSince(stats_)) &&
      stats.slice(inputs.length).every(([, stats_]) => stats_ === undefined || unchangedSince(stats_));
    cacheStep(`cannot keep the build in ${cacheDir}`, () => {
      renameSync(ownDir, buildDir);
      if (!settled) return;
      const ownRecord = path.join(cacheDir, `${tmpPrefix}${id}.json`);
      const inputPrints = Object.fromEntries(stats.map(([input, stats_]) => [input, fingerprintOf(stats_)]));
      writeFileSync(ownRecord, JSON.stringify({ format: cacheFormat, key, build: path.basename(buildDir), inputs: inputPrints }));
      renameSync(ownRecord, path.join(cacheDir, recordName));
    });
    removeUnused(cacheDir, path.basename(buildDir));
    return { directory: buildDir, fromCache: false };
  } finally {
    try {
      rmSync(ownDir, { recursive: true, force: true });
    } catch {
      // renamed into place, or nothing was written there
    }
  }
}

/**
 * Builds, unless another process is building the same key (it holds the lock, ./build-lock.js): then waits for its
 * record and takes its build. Stacks started at once (the tests start two at the beginning) build once instead of each.
 * A lock that goes without a record (that build was not kept, or failed) or was left by a builder that died or hangs:
 * this process builds.
 * @param {string} cacheDir
 * @param {string} key
 * @param {import('./cached-bundle.js').Build} build
 * @returns {Promise<import('./cached-bundle.js').CachedBuild>}
 */
function buildOrWait(cacheDir, key, build) {
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch {
    // No cache to lock: buildAndKeep says so.
    return buildAndKeep(cacheDir, key, build);
  }
  return oneBuildAtATime({
    lock: path.join(cacheDir, `${lockPrefix}${key.slice(0, 16)}`),
    existing: () => {
      const directory = recordedBuild(cacheDir, key);
      return directory ? { directory, fromCache: true } : undefined;
    },
    build: () => buildAndKeep(cacheDir, key, build),
  });
}

/** The builds this process is running, by cache directory and key, shared by callers that ask meanwhile. */
const building = new Map();

/**
 * The directory of an up-to-date build of `key` in `cacheDir`: the recorded one while its inputs are unchanged,
 * else made now by `build`. The cache of any build that writes files into a directory and says what it read.
 * @param {import('./cached-bundle.js').CachedBuildOptions} args
 * @returns {Promise<import('./cached-bundle.js').CachedBuild>}
 */
export async function cachedBuild({ cacheDir, key, build, uncachedDir }) {
  const directory = recordedBuild(cacheDir, key);
  if (directory) return { directory, fromCache: true };
  const id = `${cacheDir}\0${key}`;
  let running = building.get(id);
  if (!running) {
    running = buildOrWait(cacheDir, key, build).finally(() => building.delete(id));
    building.set(id, running);
  }
  try {
    return await running;
  } catch (error) {
    if (!(error instanceof BundleCacheError) || uncachedDir === undefined) throw error;
    // Nowhere to keep it: built where the caller uses it, as if there were no cache.
    mkdirSync(uncachedDir, { recursive: true });
    await build(uncachedDir, uncachedDir);
    return { directory: uncachedDir, fromCache: false };
  }
}

const require = createRequire(import.meta.url);
/** The builder's code, and what it says esbuild looked up: a change to either is another key. */
const builderModules = ['./bundle-build.js', './esbuild-looked-up.js', './own-source-map.js'].map((module) => fileURLToPath(new URL(module, import.meta.url)));
let toolsDigest;

/** What every key holds besides the settings: esbuild's version, node's, the builder's code and this format. */
function tools() {
  if (toolsDigest === undefined) {
    const hash = createHash('sha256').update(JSON.stringify({ cacheFormat, esbuild: require('esbuild/package.json').version, node: process.version }));
    for (const module of builderModules) hash.update(readFileSync(module));
    toolsDigest = hash.digest('hex');
  }
  return toolsDigest;
}

/**
 * Up-to-date bundles of `entries` (./bundle-build.js's BuildSpec), from the cache or built now.
 * @param {import('./cached-bundle.js').CachedBundlesOptions} args
 * @returns {Promise<import('./cached-bundle.js').CachedBundles>}
 */
export async function cachedBundles(args) {
  const { cacheDir, buildIn = 'this-process', uncachedDir, ...settings } = args;
  const spec = { ...settings, entries: Object.fromEntries(Object.entries(settings.entries).map(([name, entry]) => [name, path.resolve(settings.repoRoot, entry)])) };
  // The files the packages of externalByPath resolve to are named in the bundles, so they are part of the key.
  const resolve = createRequire(path.join(spec.repoRoot, 'package.json')).resolve;
  const externalFiles = (spec.externalByPath ?? []).map((name) => resolve(name));
  const key = createHash('sha256').update(tools()).update(JSON.stringify([spec, externalFiles])).digest('hex');
  const run = buildIn === 'child-process' ? buildBundlesInChild : buildBundles;
  const { directory, fromCache } = await cachedBuild({ cacheDir, key, uncachedDir, build: (outDir, placedAt) => run(spec, outDir, placedAt) });
  const files = Object.fromEntries(Object.keys(spec.entries).map((name) => [name, path.join(directory, `${name}.mjs`)]));
  return { directory, fromCache, files };
}

/**
 * The cache directory named `name` of this checkout: `node_modules/.cache/labelcast/<name>/<checkout>/`. One per
 * checkout, because worktrees may share one node_modules and a bundle names its checkout's files.
 * @param {string} repoRoot
 * @param {string} name
 * @returns {string}
 */
export function checkoutCacheDir(repoRoot, name) {
  const checkout = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return path.join(repoRoot, 'node_modules', '.cache', 'labelcast', name, checkout);
}

/**
 * The path of an up-to-date bundle of one program (its `entry`, named `bundleName`), built now if needed; undefined
 * when it cannot be built or kept (a read-only node_modules, a syntax error): the caller then runs the sources
 * under tsx, as before.
 * @param {import('./cached-bundle.js').BundleOptions} args
 * @returns {Promise<string | undefined>}
 */
export async function freshBundle(args) {
  const { entry, bundleName, ...rest } = args;
  if (!bundleName.endsWith('.mjs')) throw new TypeError(`a bundle's name ends in .mjs, not ${JSON.stringify(bundleName)}`);
  const name = bundleName.slice(0, -'.mjs'.length);
  try {
    return (await cachedBundles({ ...rest, entries: { [name]: entry } })).files[name];
  } catch {
    return undefined;
  }
}

/**
 * Runs a program of this repo in this process: imports its fresh bundle (freshBundle, with `args`), or, when
 * none can be built or written, registers tsx's hooks and imports its sources, as `tsx <entry>` would.
 * @param {import('./cached-bundle.js').BundleOptions} args
 * @returns {Promise<'bundle' | 'sources'>} what ran, once its top level has run
 */
export async function runBundled(args) {
  const bundle = await freshBundle(args);
  if (bundle) {
    // Stack traces name the sources, as under tsx.
    if (args.sourceMap) process.setSourceMapsEnabled(true);
    await import(pathToFileURL(bundle).href);
    return 'bundle';
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.resolve(args.repoRoot, args.entry)).href);
  return 'sources';
}
