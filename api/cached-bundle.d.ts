/** Types of ./cached-bundle.js (plain JavaScript, so the launchers run without a loader). */
export interface BundleOptions {
  /** The repository's root. */
  readonly repoRoot: string;
  /** The program's entry, relative to repoRoot. */
  readonly entry: string;
  /** Where the bundle and its inputs file are kept. */
  readonly cacheDir: string;
  /** The bundle's file name there, e.g. `cli.mjs`. */
  readonly bundleName: string;
  /** Leave every package in node_modules, imported from there at run time. @default false */
  readonly externalPackages?: boolean;
  /** Each of our files keeps its own import.meta.url. @default false */
  readonly ownImportMetaUrl?: boolean;
  /** A linked source map beside the bundle. @default false */
  readonly sourceMap?: boolean;
}
/** `node_modules/.cache/labelcast/<name>/<checkout>/`: one per checkout, since worktrees may share node_modules. */
export function checkoutCacheDir(repoRoot: string, name: string): string;
export function freshBundle(args: BundleOptions): Promise<string | undefined>;
/** Imports the fresh bundle of `entry`, or its sources under tsx when none can be built or written; says which ran. */
export function runBundled(args: BundleOptions): Promise<'bundle' | 'sources'>;
