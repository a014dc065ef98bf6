/**
 * One esbuild build of programs of this repo, described by plain data (a BuildSpec): ES modules for node, one
 * `<name>.mjs` per entry (and its source map, when asked) in the directory given, and the list of files it read
 * (and of those it looked up besides: configuration files, directories; ./esbuild-looked-up.js).
 * The bundle cache (./cached-bundle.js) decides when to build and keeps what was built; this module only builds.
 *
 * Plain data, so that the same build runs in this process or in a short-lived child (./bundle-build-child.js):
 * esbuild's service holds ~100 MiB after bundling the AWS SDK, and stopping it from a long-running process (the
 * stack's) leaves a zombie behind; a child that exits takes both with it. What a build needs beyond esbuild's own
 * options is code (plugins), so it is named by data here and made into plugins on the side that builds:
 * - `ownImportMetaUrl`: each of our files keeps its own import.meta.url, as if it ran from where it lies;
 * - `externalByPath`: packages imported at run time from the file this repo resolves them to (native modules),
 *   so the bundle may lie anywhere (a state directory);
 * - `requireStandIns`: packages, and files under some directories, require()d at run time instead of bundled.
 * And one step after the build: `ownSourcesOnly` cuts the source maps down to our own sources (./own-source-map.js).
 *
 * Plain JavaScript, like the launchers that use it (node runs them without a loader).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import process from 'node:process';
import { promisify } from 'node:util';
import { BundleBuildError, BundleError } from './bundle-errors.js';
import { lookedUpBy } from './esbuild-looked-up.js';
import { keepOwnSourcesIn } from './own-source-map.js';

/** Some bundled packages are CommonJS that require() Node's own modules; an ES module has no require of its own. */
const defaultBanner = "import { createRequire as __labelcastCreateRequire } from 'node:module'; const require = __labelcastCreateRequire(import.meta.url);";

/** Where the stand-ins of `requireStandIns` live: modules whose one line require()s the real one at run time. */
const standInNamespace = 'require-at-run-time';

/** A pattern matching exactly these import specifiers. */
const exactly = (names) => new RegExp(`^(${names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);

/**
 * @param {(code: string, options: object) => Promise<{ code: string }>} transform esbuild's
 * @returns {import('esbuild').Plugin}
 */
const ownImportMetaUrl = (transform) => ({
  name: 'own-import-meta-url',
  setup(build) {
    // Parsed by esbuild's `define`, so the text `import.meta.url` inside a string is left alone.
    build.onLoad({ filter: /\.[cm]?[jt]s$/, namespace: 'file' }, async (args) => {
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
 * @param {Readonly<Record<string, string>>} files each package's file, by name
 * @returns {import('esbuild').Plugin}
 */
const externalByPath = (files) => ({
  name: 'external-by-path',
  setup(build) {
    build.onResolve({ filter: exactly(Object.keys(files)) }, (args) => ({ path: files[args.path], external: true }));
  },
});

/**
 * @param {{ readonly packages?: readonly string[], readonly under?: readonly string[] }} standIns
 * @returns {import('esbuild').Plugin}
 */
const requireStandIns = ({ packages = [], under = [] }) => ({
  name: 'require-stand-ins',
  setup(build) {
    // The require() inside each stand-in stays a require() at run time.
    build.onResolve({ filter: /.*/, namespace: standInNamespace }, (args) => ({ path: args.path, external: true }));
    if (packages.length > 0) build.onResolve({ filter: exactly(packages) }, (args) => ({ path: args.path, namespace: standInNamespace }));
    if (under.length > 0) {
      build.onResolve({ filter: /^\./ }, (args) => {
        const target = path.resolve(args.resolveDir, args.path);
        return under.some((directory) => target.startsWith(directory + path.sep)) ? { path: target, namespace: standInNamespace } : undefined;
      });
    }
    build.onLoad({ filter: /.*/, namespace: standInNamespace }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
});

/**
 * esbuild's options for `spec`, writing into `outDir`.
 * @param {import('./bundle-build.js').BuildSpec} spec
 * @param {string} outDir
 * @param {string} placedAt
 * @param {typeof import('esbuild')} esbuild
 * @returns {import('esbuild').BuildOptions}
 */
function buildOptions(spec, outDir, placedAt, esbuild) {
  const plugins = [];
  if (spec.externalByPath?.length) {
    const resolve = createRequire(path.join(spec.repoRoot, 'package.json')).resolve;
    plugins.push(externalByPath(Object.fromEntries(spec.externalByPath.map((name) => [name, resolve(name)]))));
  }
  if (spec.requireStandIns) plugins.push(requireStandIns(spec.requireStandIns));
  if (spec.ownImportMetaUrl) plugins.push(ownImportMetaUrl(esbuild.transform));
  return {
    absWorkingDir: spec.repoRoot,
    entryPoints: Object.entries(spec.entries).map(([name, entry]) => ({ in: path.resolve(spec.repoRoot, entry), out: name })),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    write: true,
    format: 'esm',
    platform: 'node',
    target: spec.target ?? 'node20',
    metafile: true,
    logLevel: 'silent',
    minify: spec.minify ?? false,
    ...(spec.mainFields ? { mainFields: [...spec.mainFields] } : {}),
    ...(spec.externalPackages ? { packages: 'external' } : {}),
    external: [...(spec.external ?? [])],
    // Linked (the bundle names its map by file name); the sources are named from where the files will lie, so the
    // map holds wherever the build directory is renamed to, or its files linked to.
    ...(spec.sourceMap ? { sourcemap: 'linked', sourcesContent: spec.sourcesContent ?? false, sourceRoot: `${pathToFileURL(placedAt).href}/` } : {}),
    banner: { js: spec.banner ?? defaultBanner },
    plugins,
  };
}

/**
 * Builds `spec` into `outDir` in this process.
 * @param {import('./bundle-build.js').BuildSpec} spec
 * @param {string} outDir
 * @param {string} [placedAt] where the files will lie when used (source maps name their sources from there)
 * @returns {Promise<import('./bundle-build.js').BuildResult>}
 */
export async function buildBundles(spec, outDir, placedAt = outDir) {
  const esbuild = await import('esbuild');
  try {
    let result;
    try {
      result = await esbuild.build(buildOptions(spec, outDir, placedAt, esbuild));
    } catch (error) {
      // esbuild's message names each problem with its file and line.
      if (Array.isArray(error?.errors)) throw new BundleBuildError(error.message, { cause: error });
      throw new BundleError(`could not run esbuild: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (spec.sourceMap && spec.ownSourcesOnly) keepOwnSourcesIn(spec.repoRoot, outDir);
    // Files read, absolute (metafile paths are relative to absWorkingDir); the stand-ins are not files.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith(`${standInNamespace}:`))
      .map((input) => path.resolve(spec.repoRoot, input));
    return { inputs, lookedUp: lookedUpBy(inputs) };
  } finally {
    // esbuild's service process would otherwise stay for as long as the program runs.
    await esbuild.stop?.();
  }
}

const childScript = fileURLToPath(new URL('./bundle-build-child.js', import.meta.url));

/** The child's exit code when esbuild refused the sources (its message on stderr). */
export const buildRefusedExitCode = 2;

/**
 * Builds `spec` into `outDir` in a short-lived node process (buildBundles there), so that esbuild's service does
 * not stay in this one.
 * @param {import('./bundle-build.js').BuildSpec} spec
 * @param {string} outDir
 * @param {string} [placedAt]
 * @returns {Promise<import('./bundle-build.js').BuildResult>}
 */
export async function buildBundlesInChild(spec, outDir, placedAt = outDir) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [childScript, JSON.stringify({ spec, outDir, placedAt })], {
      cwd: spec.repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout);
  } catch (error) {
    const stderr = error?.stderr?.trim();
    if (error?.code === buildRefusedExitCode) throw new BundleBuildError(stderr, { cause: error });
    throw new BundleError(`the build process failed: ${stderr || (error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
}
