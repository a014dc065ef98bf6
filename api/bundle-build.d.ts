/** Types of ./bundle-build.js (plain JavaScript, so the launchers run without a loader). */

/** Packages, and files under some directories, require()d at run time instead of bundled. */
export interface RequireStandIns {
  /** Package names (exact import specifiers), require()d by name from where the bundle lies. */
  readonly packages?: readonly string[];
  /** Absolute directories: a relative import of a file under one is require()d by its absolute path. */
  readonly under?: readonly string[];
}

/** One build, as plain data (it crosses to a child process). Each bundle is an ES module for node. */
export interface BuildSpec {
  /** The repository's root: relative entries and the packages of `externalByPath` are resolved from it. */
  readonly repoRoot: string;
  /** Each entry (absolute, or relative to repoRoot) by output name: the bundle is `<name>.mjs`. */
  readonly entries: Readonly<Record<string, string>>;
  /** Leave every package in node_modules, imported from there at run time. @default false */
  readonly externalPackages?: boolean;
  /** Packages imported by name at run time (resolved from where the bundle lies). @default [] */
  readonly external?: readonly string[];
  /** Packages imported at run time from the file this repo resolves them to (native modules). @default [] */
  readonly externalByPath?: readonly string[];
  /** What is require()d at run time instead of bundled. @default none */
  readonly requireStandIns?: RequireStandIns;
  /** Each of our files (outside node_modules) keeps its own import.meta.url. @default false */
  readonly ownImportMetaUrl?: boolean;
  /** A linked source map beside each bundle. @default false */
  readonly sourceMap?: boolean;
  /** The sources' text inside the source maps. @default false */
  readonly sourcesContent?: boolean;
  /** The source maps keep the mappings of the repo's own sources only, not node_modules' (./own-source-map.js). @default false */
  readonly ownSourcesOnly?: boolean;
  /** @default false */
  readonly minify?: boolean;
  /** esbuild's mainFields. @default esbuild's for node */
  readonly mainFields?: readonly string[];
  /** esbuild's target. @default 'node20' */
  readonly target?: string;
  /** Text at the top of each bundle. @default a `require` made with createRequire (bundled CommonJS needs one) */
  readonly banner?: string;
}

export interface BuildResult {
  /** Absolute paths of the files esbuild read into the bundles. */
  readonly inputs: readonly string[];
  /**
   * Absolute paths of what else decides the output, present or not: configuration files (tsconfig.json and those it
   * extends, package.json files) and directories (their listings). A change to one, or its appearing, builds again.
   */
  readonly lookedUp?: readonly string[];
}

/** The child's exit code when esbuild refused the sources. */
export const buildRefusedExitCode: number;
/** Builds `spec` into `outDir` in this process; rejects with a BundleBuildError when esbuild refuses the sources. */
export function buildBundles(spec: BuildSpec, outDir: string, placedAt?: string): Promise<BuildResult>;
/** The same, in a short-lived node process (esbuild's service does not stay in this one). */
export function buildBundlesInChild(spec: BuildSpec, outDir: string, placedAt?: string): Promise<BuildResult>;
