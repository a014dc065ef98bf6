/**
 * `npm start`, and the stacks of the tests and benches (child-process-stack.ts): runs the offline stack,
 * ./main.ts, from one esbuild bundle of it, in this process: the same pid, arguments, signals, output and ready
 * file as `tsx local/main.ts`. When no bundle can be built or written (a read-only node_modules, a syntax error),
 * main.ts runs under tsx's hooks, registered here, as it always did.
 *
 * Why: under tsx each start spent about 2 s of CPU on tsx itself (its loader thread, a transform of each of
 * ~160 files) and on resolving and loading our files one by one; the tests start the stack about ten times.
 *
 * The bundle (../api/cached-bundle.js: kept in node_modules/.cache/labelcast/stack/<checkout>/build-<id>/, rebuilt
 * when a file it was built from, or a tsconfig.json or package.json esbuild consulted, changes) holds our sources only: packages are loaded from node_modules as before (native
 * modules, packages that read their own files, one instance of each), the CommonJS ones by require() (below; sharp's
 * require and import are separate builds, see there). Each of our files keeps its own
 * import.meta.url, so what is found from it (the worker scripts, createRequire, the repo root) is unchanged; a
 * linked source map makes stack traces name our .ts files, as under tsx.
 *
 * Plain JavaScript, run by node itself, so `npm start` needs no loader.
 */
import { fileURLToPath, URL } from 'node:url';
import { checkoutCacheDir, runBundled } from '../api/cached-bundle.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

await runBundled({
  repoRoot,
  entry: 'local/main.ts',
  cacheDir: checkoutCacheDir(repoRoot, 'stack'),
  bundleName: 'main.mjs',
  externalPackages: true,
  ownImportMetaUrl: true,
  sourceMap: true,
  // The CommonJS packages the stack imports, require()d instead of imported: node's ESM loader would detect each of
  // their files' format and run cjs-module-lexer over graphql's ~100 files to find their named exports, about 0.2 s
  // of CPU at each start (ws's ESM entry only re-exports its CommonJS one). For a package without separate builds,
  // require() loads the same module an import of it elsewhere gets (one instance, the same exports). sharp is the
  // exception: its exports map sends import to dist/index.mjs and require to dist/index.cjs, two builds; it is still
  // one copy because every user of sharp on the main thread (local/rekognition/) is inside this bundle, so all take
  // the require()d one (the vision worker is a thread of its own, with its own modules). An import of sharp from
  // outside the bundle in this process would load a second copy. Each is loaded only when the stack's modules load
  // (main.ts loads them after the state files). A CommonJS package missing here is imported as before, only more slowly.
  requireStandIns: { packages: ['graphql', '@aws-sdk/client-dynamodb', '@smithy/signature-v4', 'esbuild', 'sharp', 'ws'] },
});
