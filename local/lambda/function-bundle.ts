/**
 * A function's code as Lambda runs it: one esbuild bundle of its handler,
 * built the way `cdk deploy` builds it (infra/manifest-function.ts: ESM, the
 * options of api/function-bundle-options.ts (minified, a source map of our own sources
 * only, without their text, the require() shim), native modules left out of the bundle), and the host that answers the runtime's invocations
 * (function-host.ts), bundled beside it. The local runtime runs both with
 * plain node: no TypeScript loader in a function's process, which would cost
 * each one ~40 MiB (tsx's module-hooks thread and its esbuild service) that
 * a Lambda sandbox does not spend.
 *
 * Native modules (api/manifest.ts `nativeModules`, e.g. sharp) are what
 * infra/ installs into the asset for Lambda's platform; offline they are
 * imported from this repo's node_modules by absolute path, so the bundle can
 * live in the state directory.
 *
 * Kept between stack starts in the bundle cache (api/cached-bundle.js,
 * `node_modules/.cache/labelcast/functions/<checkout>/`), rebuilt when a file
 * they were built from, an option, esbuild or node changed: building them
 * cost each start about 2.5 s of CPU. The files are linked (or copied) into
 * the state directory's `functions/`, so a running stack keeps its code
 * whatever later starts build. When the cache cannot be written, they are
 * built there directly, as before the cache.
 *
 * The build runs in a short-lived node process: esbuild's service holds
 * ~100 MiB after bundling the AWS SDK, and stopping it from the stack's
 * process leaves a zombie behind; a child that exits takes both with it.
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../api/bundle.ts';
import { functionBundleOptions } from '../../api/function-bundle-options.ts';
import { cachedBundles, checkoutCacheDir } from '../../api/cached-bundle.js';
import { FunctionBundleError } from './errors.ts';

const hostSource = fileURLToPath(new URL('./function-host.ts', import.meta.url));

export interface FunctionBundlesArgs {
  /** Absolute path of each function's handler module, by function name. */
  readonly entries: Readonly<Record<string, string>>;
  /** Where the bundles are written (created when missing): `<name>.mjs` each, and `_host.mjs`, with their maps. */
  readonly outDir: string;
  /** Package names imported from node_modules instead of bundled. @default [] */
  readonly nativeModules?: readonly string[];
  /** Where built bundles are kept between starts. @default node_modules/.cache/labelcast/functions/<checkout>/ */
  readonly cacheDir?: string;
}

export interface FunctionBundles {
  /** The host process's entry: fork it with a handler's path and the function's name. */
  readonly host: string;
  /** Each function's handler bundle, by name. */
  readonly handlers: Readonly<Record<string, string>>;
}

/** The host's bundle, named apart from the functions' (api/manifest.ts names start with a letter). */
const hostName = '_host';

/**
 * Puts each file of `from` into `to` under its name: a hard link where both lie on one file system (the cache's
 * files are never written again), a copy elsewhere; each by a rename, so a file is never seen half written.
 */
function placeFiles(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const own = path.join(to, `.${name}.${process.pid}.tmp`);
    rmSync(own, { force: true });
    try {
      linkSync(path.join(from, name), own);
    } catch {
      copyFileSync(path.join(from, name), own);
    }
    renameSync(own, path.join(to, name));
    // When the target already was a link to the same file (a restart on the same build), rename(2) does nothing
    // and leaves `own` behind: one more stray link per file and start, unless removed.
    rmSync(own, { force: true });
  }
}

/** Builds the host and every handler in one esbuild run (or takes them from the cache); rejects with a FunctionBundleError naming what failed. */
export async function bundleFunctions(args: FunctionBundlesArgs): Promise<FunctionBundles> {
  mkdirSync(args.outDir, { recursive: true });
  try {
    const bundles = await cachedBundles({
      repoRoot,
      cacheDir: args.cacheDir ?? checkoutCacheDir(repoRoot, 'functions'),
      buildIn: 'child-process',
      uncachedDir: args.outDir,
      entries: { [hostName]: hostSource, ...args.entries },
      // The node that runs it (Lambda's bundle targets Lambda's).
      target: `node${process.versions.node}`,
      // Minified, a source map of our own sources without their text, the require() shim: as infra/ deploys them.
      ...functionBundleOptions,
      externalByPath: [...(args.nativeModules ?? [])],
    });
    if (bundles.directory !== args.outDir) placeFiles(bundles.directory, args.outDir);
  } catch (error) {
    throw new FunctionBundleError(`could not bundle the functions: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const file = (name: string) => path.join(args.outDir, `${name}.mjs`);
  return { host: file(hostName), handlers: Object.fromEntries(Object.keys(args.entries).map((name) => [name, file(name)])) };
}
