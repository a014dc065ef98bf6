/**
 * Builds the web gallery (client-example/web) with Vite when its sources are
 * newer than the last build, so `npm install && npm start` serves it on a
 * fresh clone and later starts cost nothing.
 *
 * The build runs in a child process (Vite's own CLI, as `npm run gallery:build`
 * runs it), not in the stack's: Vite, its bundler's native binding and their
 * threads' allocations stayed resident in the stack after a build, ~300 MiB
 * RSS for as long as it ran; a child that exits takes them with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from '../../api/bundle.ts';

export const galleryRoot = path.join(repoRoot, 'client-example/web');
export const galleryDist = path.join(galleryRoot, 'dist');
const galleryConfig = path.join(galleryRoot, 'vite.config.ts');

/** What the gallery bundle is made from: its own sources, the client library and the generated documents it imports. */
const sources = [galleryRoot, path.join(repoRoot, 'client-example/lib'), path.join(repoRoot, 'client-example/graphql')];

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) {
    if (name === 'dist' || name === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

export function galleryIsStale(): boolean {
  const index = path.join(galleryDist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return sources.some((source) => existsSync(source) && newestMtime(source) > built);
}

/** The gallery could not be built (Vite failed or did not start); the API runs without it. */
export class GalleryBuildError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GalleryBuildError';
  }
}

/** Vite's CLI script, from its package manifest's `bin`. */
function viteCli(): string {
  const manifestPath = createRequire(path.join(repoRoot, 'package.json')).resolve('vite/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.vite;
  if (!bin) throw new GalleryBuildError(`vite's package.json (${manifestPath}) names no vite command`);
  return path.join(path.dirname(manifestPath), bin);
}

/** Runs `vite build` for the gallery if needed, in a child process; returns whether it built. */
export async function ensureGalleryBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  if (!galleryIsStale()) return false;
  log('Building the web gallery (client-example/web)…');
  const child = spawn(process.execPath, [viteCli(), 'build', '--config', galleryConfig, '--logLevel', 'warn'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => reject(new GalleryBuildError(`vite build did not start: ${error.message}`, { cause: error })));
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? -1 : null)));
  });
  if (code !== 0) throw new GalleryBuildError(`vite build exited with code ${code} (its output is above)`);
  return true;
}
