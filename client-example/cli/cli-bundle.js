/**
 * The CLI as one esbuild bundle, kept in `node_modules/.cache/labelcast/cli/<checkout>/` and rebuilt when any file
 * it was built from changed (../../api/cached-bundle.js says how).
 *
 * Why: started under tsx, each `labelcast …` spent about 3.7 s of CPU before doing anything (transforming and
 * loading hundreds of aws-amplify and CLI modules one by one); the bundle starts in about 0.3 s. Scripts that run
 * the CLI in a loop, and the tests, felt it most. Everything is bundled, packages included.
 *
 * Plain JavaScript, like the launcher that uses it (node runs both without a loader).
 */
import { checkoutCacheDir, freshBundle } from '../../api/cached-bundle.js';

/**
 * The path of a bundle of `entry` (a path under `repoRoot`) that is up to date, built now if needed;
 * undefined when it cannot be built or written (the launcher then runs the sources under tsx, as before).
 */
export function freshCliBundle(repoRoot, entry) {
  return freshBundle({ repoRoot, entry, cacheDir: checkoutCacheDir(repoRoot, 'cli'), bundleName: 'cli.mjs' });
}
