/**
 * The short-lived process of ./bundle-build.js's buildBundlesInChild: argv[2] is `{ spec, outDir, placedAt }` as
 * JSON; the build's result goes to stdout as JSON, esbuild's refusal to stderr with exit code 2, any other failure
 * to stderr with exit code 1. Exiting takes esbuild's service with it.
 */
import process from 'node:process';
import { buildBundles, buildRefusedExitCode } from './bundle-build.js';
import { BundleBuildError } from './bundle-errors.js';

const { spec, outDir, placedAt } = JSON.parse(process.argv[2]);
try {
  process.stdout.write(JSON.stringify(await buildBundles(spec, outDir, placedAt)));
} catch (error) {
  process.stderr.write(error instanceof Error ? error.message : String(error));
  // Not process.exit(): what was written to the pipes is still flushed.
  process.exitCode = error instanceof BundleBuildError ? buildRefusedExitCode : 1;
}
