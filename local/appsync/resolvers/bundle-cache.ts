/**
 * The resolver bundles of a stack start and the sandbox's runtime bundle, kept between starts in the bundle cache
 * (api/cached-bundle.js, `node_modules/.cache/labelcast/resolver-bundles/<checkout>/`) and made again when a file
 * they were made from, a configuration file esbuild consulted, api/bundle.ts or esbuild changed. A start whose
 * resolvers did not change runs no esbuild: bundling the ~15 code files and the runtime (esbuild's service process)
 * cost each start about 0.3 s of CPU, and the tests start many stacks. A start that does bundle stops esbuild's
 * service once it is done (bundleAll), so the stack does not keep it.
 *
 * The texts are what api/bundle.ts and sandbox.ts make (the same calls, made once and kept), so the local AppSync
 * checks and runs what `cdk deploy` uploads as before. Only a build in which every file bundled is kept: when one
 * does not, this answers undefined and the code loader bundles each file itself, reporting each failure as before.
 * When the cache cannot be written (a read-only node_modules), likewise. Any other error (a mistake in this code,
 * such as a maker file that is not there) is thrown: answering undefined would hide it and quietly never use the cache.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stop as stopEsbuild } from 'esbuild';
import { buildResolverWithInputs, repoRoot, type ResolverBundle } from '../../../api/bundle.ts';
import { BundleBuildError, BundleCacheError, BundleError } from '../../../api/bundle-errors.js';
import { cachedBuild, checkoutCacheDir } from '../../../api/cached-bundle.js';
import { lookedUpBy } from '../../../api/esbuild-looked-up.js';
import { buildRuntime } from './sandbox.ts';

/** Bumped when what a build holds changes, so older builds are not read as this one. */
const cacheFormat = 1;

/**
 * The code that decides the texts and what a build is kept for besides their inputs: the resolvers' esbuild options,
 * the runtime's, this file, and what esbuild-looked-up.js says esbuild consulted (as cachedBundles' key holds it).
 */
const makerSources = ['../../../api/bundle.ts', './sandbox.ts', './bundle-cache.ts', '../../../api/esbuild-looked-up.js'].map((file) => fileURLToPath(new URL(file, import.meta.url)));

const bundlesFile = 'bundles.json';

export interface CachedResolverBundles {
  /** Each code file's bundle (api/bundle.ts), by its name in the manifest. */
  readonly bundles: ReadonlyMap<string, ResolverBundle>;
  /** The sandbox's runtime script (sandbox.ts's bundleRuntime). */
  readonly runtimeSource: string;
}

interface KeptBuild {
  readonly format: number;
  readonly bundles: readonly { readonly code: string; readonly text: string; readonly inputs: readonly string[] }[];
  readonly runtimeSource: string;
}

export interface ResolverBundleCacheOptions {
  /** @default node_modules/.cache/labelcast/resolver-bundles/<checkout>/ */
  readonly cacheDir?: string;
}

/** What the build is for: the files, esbuild's version, the makers' code, and the working directory the runtime's comments name. */
function keyOf(codes: readonly string[]): string {
  const hash = createHash('sha256');
  const esbuildVersion = (createRequire(path.join(repoRoot, 'package.json'))('esbuild/package.json') as { version: string }).version;
  hash.update(JSON.stringify({ cacheFormat, esbuildVersion, repoRoot, cwd: process.cwd(), codes }));
  for (const source of makerSources) hash.update('\0').update(readFileSync(source));
  return hash.digest('hex');
}

/**
 * esbuild's failure (it carries esbuild's messages) as a BundleBuildError; any other error as it is. esbuild's
 * BuildFailure has both `errors` and `warnings`; an AggregateError has `errors` alone.
 */
function esbuildFailure(error: unknown): unknown {
  const fields = error as { errors?: unknown; warnings?: unknown };
  const isFailure = error instanceof Error && Array.isArray(fields.errors) && Array.isArray(fields.warnings);
  return isFailure ? new BundleBuildError(error.message, { cause: error }) : error;
}

/** `make()`, its esbuild failure a BundleBuildError. */
async function bundled<T>(make: () => Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (error) {
    throw esbuildFailure(error);
  }
}

/**
 * The files' bundles and the runtime's, through esbuild's async API, and then esbuild stopped. buildSync would run
 * them under esbuild's worker thread, whose service process (~21 MiB) nothing stops: it stayed for the stack's life,
 * and a stop() then would end the thread but leave the process unreaped (a zombie), as only the thread's event loop
 * reaps what it started. The async API's service is this thread's child: stop() kills it and this thread reaps it.
 * stop() is process-wide (local/stack.ts says why that is safe here).
 */
async function bundleAll(codes: readonly string[]): Promise<{ bundles: (ResolverBundle & { code: string })[]; runtime: ResolverBundle }> {
  try {
    const bundles: (ResolverBundle & { code: string })[] = [];
    for (const code of codes) bundles.push({ code, ...(await bundled(() => buildResolverWithInputs({ code }))) });
    return { bundles, runtime: await bundled(() => buildRuntime()) };
  } finally {
    await stopEsbuild();
  }
}

/** Bundles every file and the runtime into `outDir`; a BundleBuildError when one does not bundle (nothing is kept then). */
async function build(codes: readonly string[], outDir: string): Promise<{ inputs: string[]; lookedUp: string[] }> {
  const { bundles, runtime } = await bundleAll(codes);
  const kept: KeptBuild = { format: cacheFormat, bundles, runtimeSource: runtime.text };
  try {
    writeFileSync(path.join(outDir, bundlesFile), JSON.stringify(kept));
  } catch (error) {
    throw new BundleCacheError(`${bundlesFile} cannot be written: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  // esbuild names the resolvers' inputs from the repo root (their absWorkingDir), the runtime's from the working directory.
  const inputs = [
    ...new Set([...bundles.flatMap((bundle) => bundle.inputs.map((input) => path.resolve(repoRoot, input))), ...runtime.inputs.map((input) => path.resolve(input))]),
  ];
  return { inputs, lookedUp: lookedUpBy(inputs) };
}

function readKept(directory: string, codes: readonly string[]): CachedResolverBundles | undefined {
  let kept: KeptBuild;
  try {
    kept = JSON.parse(readFileSync(path.join(directory, bundlesFile), 'utf8')) as KeptBuild;
  } catch (error) {
    throw new BundleCacheError(`${bundlesFile} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (kept.format !== cacheFormat || typeof kept.runtimeSource !== 'string') return undefined;
  const bundles = new Map(kept.bundles.map(({ code, text, inputs }) => [code, { text, inputs }]));
  if (!codes.every((code) => bundles.has(code))) return undefined;
  return { bundles, runtimeSource: kept.runtimeSource };
}

/**
 * The bundles of `codes` (code files as the manifest names them, relative to the repo root) and the runtime, from
 * the cache or made now; undefined when the kept build is of an older format or lacks a file.
 * @throws BundleBuildError when a file or the runtime does not bundle (esbuild's failure is its cause)
 * @throws BundleCacheError when the build cannot be kept or read back
 */
export async function keptResolverBundles(codes: readonly string[], options: ResolverBundleCacheOptions = {}): Promise<CachedResolverBundles | undefined> {
  const { directory } = await cachedBuild({
    cacheDir: options.cacheDir ?? checkoutCacheDir(repoRoot, 'resolver-bundles'),
    key: keyOf(codes),
    build: (outDir) => build(codes, outDir),
  });
  return readKept(directory, codes);
}

/**
 * keptResolverBundles, or undefined when a file does not bundle or nothing can be kept (a BundleError): the caller
 * then bundles each file itself. Any other error is thrown.
 */
export async function cachedResolverBundles(codes: readonly string[], options: ResolverBundleCacheOptions = {}): Promise<CachedResolverBundles | undefined> {
  try {
    return await keptResolverBundles(codes, options);
  } catch (error) {
    if (error instanceof BundleError) return undefined;
    throw error;
  }
}
