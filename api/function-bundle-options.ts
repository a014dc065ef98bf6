/**
 * The esbuild options of a Lambda function's bundle that the deployed function (infra/manifest-function.ts, CDK's
 * NodejsFunction bundling) and the offline one (local/lambda/function-bundle.ts) share, so that the offline stack
 * runs the code a deploy ships. Each adds what differs: its target (Lambda's node, or the node that runs the stack)
 * and how native modules stay out of the bundle. No imports: infra/ and local/ both build on it.
 */

/** Some bundled CommonJS dependencies call require(); ESM output has none without this. */
const requireShim = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface FunctionBundleOptions {
  /** Where esbuild looks first in a package's package.json: its ESM entry (`module`), then `main`. */
  readonly mainFields: readonly string[];
  readonly minify: boolean;
  readonly sourceMap: boolean;
  /**
   * The map's mappings and source names are all --enable-source-maps needs to name the .ts frames of a stack trace;
   * the sources' text (esbuild's default, ~1.7 MB of a labeler map's 2.7) only made each cold start read and parse
   * it: ~15-20 ms of CPU a process under Node 20, of ~40 ms the maps cost in all (and the offline stack forks dozens
   * of function processes a test run).
   */
  readonly sourcesContent: boolean;
  /**
   * The map keeps the mappings of our own sources only (api/own-source-map.js, a step after esbuild: offline in the
   * build, deployed as the afterBundling hook). node decodes a map whole at the first stack trace naming its bundle
   * and keeps it: the labeler's, 642 of its 689 sources in node_modules, cost each process +12.8 MiB of heap and
   * +26 MiB of RSS from then on (bench/source-map-cost.ts). Frames in our code still name their .ts file and line;
   * frames in a dependency (the AWS SDK, Powertools…) name the bundle's line and column instead.
   */
  readonly ownSourcesOnly: boolean;
  /** Put before the bundle's code: the require() shim. */
  readonly banner: string;
}

/** ESM output's options (the format each side sets in its own terms): minified, with a map of our own sources, without their text. */
export const functionBundleOptions: FunctionBundleOptions = {
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  ownSourcesOnly: true,
  banner: requireShim,
};
