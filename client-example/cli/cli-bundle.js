/**
 * The CLI as one esbuild bundle, kept in `node_modules/.cache/labelcast/cli/`
 * and rebuilt when any file it was built from changed.
 *
 * Why: started under tsx, each `labelcast …` spent about 3.7 s of CPU before
 * doing anything (transforming and loading hundreds of aws-amplify and CLI
 * modules one by one); the bundle starts in about 0.3 s. Scripts that run the
 * CLI in a loop, and the tests, felt it most.
 *
 * Freshness: the bundle's metafile names every input (our sources and the
 * packages'); their sizes and modification times are kept beside the bundle
 * with the bundle's digest and compared at each start (a few hundred stat
 * calls and one hash, milliseconds), so an edit to the CLI or an `npm install`
 * rebuilds it. Concurrent first starts each build into a file of their own and
 * rename it into place; an inputs file and a bundle from different builds do
 * not match by digest, and a file saved during a build leaves that bundle
 * unrecorded, so the next start builds again rather than trusting it.
 *
 * Plain JavaScript, like the launcher that uses it (node runs both without a loader).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

/** Bumped when the build options below change, so older bundles are rebuilt. */
const bundleFormat = 2;

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
function isFresh(bundlePath, inputsPath, repoRoot, entry) {
  if (!existsSync(bundlePath) || !existsSync(inputsPath)) return false;
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(inputsPath, 'utf8'));
  } catch {
    return false;
  }
  if (recorded?.bundleFormat !== bundleFormat || recorded.entry !== entry || typeof recorded.inputs !== 'object' || recorded.inputs === null) return false;
  if (!Object.entries(recorded.inputs).every(([input, print]) => fingerprint(path.resolve(repoRoot, input)) === print)) return false;
  // Two builds at once rename their bundles and inputs files in turn: a pair from different builds is not fresh.
  return recorded.bundleDigest === digestOf(bundlePath);
}

/**
 * The path of a bundle of `entry` (a path under `repoRoot`) that is up to date, built now if needed;
 * undefined when it cannot be built or written (the launcher then runs the sources under tsx, as before).
 */
export async function freshCliBundle(repoRoot, entry) {
  const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'labelcast', 'cli');
  const bundlePath = path.join(cacheDir, 'cli.mjs');
  const inputsPath = path.join(cacheDir, 'inputs.json');
  if (isFresh(bundlePath, inputsPath, repoRoot, entry)) return bundlePath;
  try {
    const { build } = await import('esbuild');
    mkdirSync(cacheDir, { recursive: true });
    const ownBundle = `${bundlePath}.${process.pid}.tmp`;
    const buildStartedMs = Date.now();
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints: [entry],
      outfile: ownBundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      metafile: true,
      logLevel: 'silent',
      // Some bundled packages are CommonJS that require() Node's own modules; an ES module has no require of its own.
      banner: { js: "import { createRequire as __labelcastCreateRequire } from 'node:module'; const require = __labelcastCreateRequire(import.meta.url);" },
    });
    // One stat per input: its fingerprint, and whether it was saved well before the build.
    const inputStats = Object.keys(result.metafile.inputs).map((input) => [input, statSync(path.resolve(repoRoot, input), { throwIfNoEntry: false })]);
    const settled = inputStats.every(([, stats]) => (stats?.mtimeMs ?? Infinity) < buildStartedMs - settledMs);
    const bundleDigest = digestOf(ownBundle);
    renameSync(ownBundle, bundlePath);
    if (settled) {
      const inputs = Object.fromEntries(inputStats.map(([input, stats]) => [input, fingerprintOf(stats)]));
      const ownInputs = `${inputsPath}.${process.pid}.tmp`;
      writeFileSync(ownInputs, JSON.stringify({ bundleFormat, entry, bundleDigest, inputs }));
      renameSync(ownInputs, inputsPath);
    }
    return bundlePath;
  } catch {
    rmSync(`${bundlePath}.${process.pid}.tmp`, { force: true });
    rmSync(`${inputsPath}.${process.pid}.tmp`, { force: true });
    return undefined;
  }
}
