/**
 * CDK's NodejsFunction bundles with `npx --no-install esbuild …` when esbuild is a dependency of the project
 * (aws-cdk-lib/aws-lambda-nodejs picks the runner from package-lock.json and has no option for the binary's path).
 * npx starts npm before it runs anything: ~0.8 CPU-s a function, as much as esbuild's own bundling. For a test
 * synth with bundling, withEsbuildWithoutNpx puts first on PATH a directory holding an `npx` that runs the
 * project's esbuild binary (node_modules/.bin/esbuild, what `npx --no-install esbuild` resolves to from the repo)
 * directly and hands every other call to the real npx: the same binary on the same arguments, so the same bundles
 * and asset hashes. `cdk synth` itself is untouched.
 */
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../api/bundle.ts';

/** The first `npx` on PATH, as spawnSync would find it; undefined if there is none. */
function realNpx(searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'npx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Runs `run` (a synth) with `npx --no-install esbuild` going straight to the repo's esbuild binary. */
export function withEsbuildWithoutNpx<T>(run: () => T): T {
  const originalPath = process.env.PATH ?? '';
  const npx = realNpx(originalPath);
  // CDK runs npx.cmd through PowerShell on Windows; a POSIX shim does not apply there.
  if (process.platform === 'win32' || !npx) return run();
  const esbuild = path.join(repoRoot, 'node_modules', '.bin', 'esbuild');
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-npx-'));
  const shim = path.join(dir, 'npx');
  writeFileSync(
    shim,
    [
      '#!/bin/sh',
      `if [ "$1" = "--no-install" ] && [ "$2" = "esbuild" ]; then shift 2; exec ${shellQuote(esbuild)} "$@"; fi`,
      `exec ${shellQuote(npx)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(shim, 0o755);
  // CDK spawns its bundling steps synchronously with process.env: nothing else runs in this worker meanwhile.
  process.env.PATH = `${dir}${path.delimiter}${originalPath}`;
  try {
    return run();
  } finally {
    process.env.PATH = originalPath;
    rmSync(dir, { recursive: true, force: true });
  }
}
