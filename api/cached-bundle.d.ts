/** Types of ./cached-bundle.js (plain JavaScript, so the launchers run without a loader). */
import type { BuildResult, BuildSpec } from './bundle-build.js';

/** Builds into `outDir` the files that will lie in `placedAt`, and says what it read. */
export type Build = (outDir: string, placedAt: string) => Promise<BuildResult>;

export interface CachedBuildOptions {
  /** Where the builds and their record are kept (made when missing). */
  readonly cacheDir: string;
  /** What the build is made for (settings, tool versions): another key is another build. */
  readonly key: string;
  readonly build: Build;
  /** When the cache cannot be written, the build is made here instead, unrecorded. @default a BundleCacheError */
  readonly uncachedDir?: string;
}

export interface CachedBuild {
  /** The build's files lie here; never written again while the record names it. */
  readonly directory: string;
  /** Whether it was recorded before (no build ran). */
  readonly fromCache: boolean;
}

export interface CachedBundlesOptions extends BuildSpec {
  /** Where the builds and their record are kept (checkoutCacheDir). */
  readonly cacheDir: string;
  /** `child-process`: esbuild runs in a short-lived node process, so its service does not stay in this one. @default 'this-process' */
  readonly buildIn?: 'this-process' | 'child-process';
  /** When the cache cannot be written, the bundles are built here instead, unrecorded. @default a BundleCacheError */
  readonly uncachedDir?: string;
}

export interface CachedBundles extends CachedBuild {
  /** Each entry's bundle, `<name>.mjs` in `directory` (its source map beside it as `<name>.mjs.map`), by name. */
  readonly files: Readonly<Record<string, string>>;
}

export interface BundleOptions extends Omit<BuildSpec, 'entries'> {
  /** The program's entry, relative to repoRoot. */
  readonly entry: string;
  /** Where the builds and their record are kept. */
  readonly cacheDir: string;
  /** The bundle's file name, ending in .mjs, e.g. `cli.mjs`. */
  readonly bundleName: string;
}

/** The cached build of `key`, or one made now; rejects with a BundleCacheError when it cannot be kept (and no uncachedDir). */
export function cachedBuild(args: CachedBuildOptions): Promise<CachedBuild>;
/** Up-to-date bundles, from the cache or built now; rejects with a BundleBuildError (the sources) or a BundleCacheError. */
export function cachedBundles(args: CachedBundlesOptions): Promise<CachedBundles>;
/** `node_modules/.cache/labelcast/<name>/<checkout>/`: one per checkout, since worktrees may share node_modules. */
export function checkoutCacheDir(repoRoot: string, name: string): string;
/** The path of an up-to-date bundle of one program, or undefined when none can be built or kept. */
export function freshBundle(args: BundleOptions): Promise<string | undefined>;
/** Imports the fresh bundle of `entry`, or its sources under tsx when none can be built or written; says which ran. */
export function runBundled(args: BundleOptions): Promise<'bundle' | 'sources'>;
