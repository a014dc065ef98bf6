/**
 * A program of this repo (an entry file and all it imports) as one esbuild bundle, kept in a cache directory
 * under `node_modules/.cache/labelcast/` and rebuilt when any file it was built from changed. Used by the CLI
 * launcher (client-example/cli/cli-bundle.js) and the stack's (local/start.js).
 *
 * Why: started under tsx, a program pays for tsx (its loader thread, a transform of every TypeScript file) and
 * for loading hundreds of modules one by one at each start: about 3.7 s of CPU for a CLI command, about 2 s for
 * the offline stack, which the tests start many times.
 *
 * Freshness: the bundle's metafile names every input (our sources, and the packages' when they are bundled);
 * their sizes and modification times are kept beside the bundle with the bundle's digest and the build
 * options, and compared at each start (a few hundred stat calls and one hash, milliseconds), so an edit or an
 * `npm install` rebuilds it. Concurrent first starts each build into a file of their own and rename it into
 * place; an inputs file and a bundle from different builds do not match by digest, and a file saved during a
 * build leaves that bundle unrecorded, so the next start builds again rather than trusting it.
 *
 * Plain JavaScript, like the launchers that use it (node runs them without a loader).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/** Bumped when the build below changes in a way the recorded options do not show, so older bundles are rebuilt. */
const bundleFormat = 3;

/**
 * An input changed this recently before a build may or may not be in it (timestamps are coarse on some file
 * systems), and one changed during the build is not: the bundle is used once, not kept as fresh.
 */
const settledMs = 2000;

/** SHA-256 of the bundle's bytes: the inputs file names the one bundle it describes. */
const digestOf = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Size and modification time of one input (its stats, undefined when missing), as compared at each start. */
const fingerprintOf = (stats) => (stats ? `${stats.size}:${stats.mtimeMs}` : 'missing');

const fingerprint = (file) => fingerprintOf(statSync(file, { throwIfNoEntry: false }));

/** Whether the bundle at `bundlePath` was built from `entry`, by these options, from the inputs as they are now. */
function isFresh(bundlePath, inputsPath, repoRoot, entry, options) {
  if (!existsSync(bundlePath) || !existsSync(inputsPath)) return false;
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(inputsPath, 'utf8'));
  } catch {
    return false;
  }
  if (recorded?.bundleFormat !== bundleFormat || recorded.entry !== entry || recorded.options !== options) return false;
  if (typeof recorded.inputs !== 'object' || recorded.inputs === null) return false;
  if (!Object.entries(recorded.inputs).every(([input, print]) => fingerprint(path.resolve(repoRoot, input)) === print)) return false;
  // Two builds at once rename their bundles and inputs files in turn: a pair from different builds is not fresh.
  return recorded.bundleDigest === digestOf(bundlePath);
}

/**
 * An esbuild plugin that gives each of our own files (outside node_modules) its own `import.meta.url`, as if it
 * ran from where it lies: paths it computes from it (createRequire, files beside it) stay what they were.
 * Parsed by esbuild's `define`, so the text `import.meta.url` inside a string is left alone.
 */
const ownImportMetaUrl = (transform) => ({
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.split(path.sep).includes('node_modules')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
      const result = await transform(text, { loader, format: 'esm', sourcefile: args.path, sourcemap: 'inline', define: { 'import.meta.url': JSON.stringify(pathToFileURL(args.path).href) } });
      return { contents: result.code, loader: 'js' };
    });
  },
});

/**
 * @typedef {object} BundleOptions
 * @property {string} repoRoot the repository's root
 * @property {string} entry the program's entry, relative to repoRoot
 * @property {string} cacheDir where the bundle and its inputs file are kept
 * @property {string} bundleName the bundle's file name there, e.g. `cli.mjs`
 * @property {boolean} [externalPackages] leave every package in node_modules to be imported from there at run
 *   time (native modules, packages that read their own files) instead of bundling them; default false
 * @property {boolean} [ownImportMetaUrl] each of our files keeps its own import.meta.url (above); default false
 * @property {boolean} [sourceMap] a linked source map beside the bundle, for stack traces that name our files;
 *   default false
 */

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
 * The path of a bundle of `entry` that is up to date, built now if needed; undefined when it cannot be built or
 * written (a read-only node_modules, a syntax error): the caller then runs the sources under tsx, as before.
 * @param {BundleOptions} args
 * @returns {Promise<string | undefined>}
 */
export async function freshBundle(args) {
  const { repoRoot, entry, cacheDir, bundleName } = args;
  const settings = { externalPackages: args.externalPackages ?? false, ownImportMetaUrl: args.ownImportMetaUrl ?? false, sourceMap: args.sourceMap ?? false };
  const options = JSON.stringify(settings);
  const bundlePath = path.join(cacheDir, bundleName);
  const inputsPath = path.join(cacheDir, 'inputs.json');
  if (isFresh(bundlePath, inputsPath, repoRoot, entry, options)) return bundlePath;
  // A directory of this build's own (other builds, in this process or others, may run at the same time), whose
  // files keep the names they get in place: the bundle names its source map by file name. Beside cacheDir, not in
  // it: the map names the sources relative to its directory, so it must be built at the depth it is moved to.
  const ownDir = `${cacheDir}.build.${process.pid}.${randomUUID()}.tmp`;
  const ownBundle = path.join(ownDir, path.basename(bundlePath));
  const ownInputs = path.join(ownDir, path.basename(inputsPath));
  let esbuild;
  try {
    esbuild = await import('esbuild');
    mkdirSync(cacheDir, { recursive: true });
    mkdirSync(ownDir, { recursive: true });
    const buildStartedMs = Date.now();
    const result = await esbuild.build({
      absWorkingDir: repoRoot,
      entryPoints: [entry],
      outfile: ownBundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      metafile: true,
      logLevel: 'silent',
      ...(settings.externalPackages ? { packages: 'external' } : {}),
      ...(settings.ownImportMetaUrl ? { plugins: [ownImportMetaUrl(esbuild.transform)] } : {}),
      // Linked: the bundle names its map by file name (main.mjs.map beside it).
      ...(settings.sourceMap ? { sourcemap: 'linked', sourcesContent: false } : {}),
      // Some bundled packages are CommonJS that require() Node's own modules; an ES module has no require of its own.
      banner: { js: "import { createRequire as __labelcastCreateRequire } from 'node:module'; const require = __labelcastCreateRequire(import.meta.url);" },
    });
    // One stat per input: its fingerprint, and whether it was saved well before the build.
    const inputStats = Object.keys(result.metafile.inputs).map((input) => [input, statSync(path.resolve(repoRoot, input), { throwIfNoEntry: false })]);
    const settled = inputStats.every(([, stats]) => (stats?.mtimeMs ?? Infinity) < buildStartedMs - settledMs);
    const bundleDigest = digestOf(ownBundle);
    if (settings.sourceMap) renameSync(`${ownBundle}.map`, `${bundlePath}.map`);
    renameSync(ownBundle, bundlePath);
    if (settled) {
      const inputs = Object.fromEntries(inputStats.map(([input, stats]) => [input, fingerprintOf(stats)]));
      writeFileSync(ownInputs, JSON.stringify({ bundleFormat, entry, options, bundleDigest, inputs }));
      renameSync(ownInputs, inputsPath);
    }
    return bundlePath;
  } catch {
    return undefined;
  } finally {
    try {
      rmSync(ownDir, { recursive: true, force: true });
    } catch {
      // nothing was written there
    }
    // esbuild's service process would otherwise stay for as long as the program runs.
    await esbuild?.stop?.();
  }
}

/**
 * Runs a program of this repo in this process: imports its fresh bundle (freshBundle, with `args`), or, when
 * none can be built or written, registers tsx's hooks and imports its sources, as `tsx <entry>` would.
 * @param {BundleOptions} args
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
