/**
 * Builds the web gallery (client-example/web) with Vite when its sources are
 * newer than the last build, so `npm install && npm start` serves it on a
 * fresh clone and later starts cost nothing.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../api/bundle.ts';

export const galleryRoot = path.join(repoRoot, 'client-example/web');
export const galleryDist = path.join(galleryRoot, 'dist');

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

/** Runs `vite build` for the gallery if needed; returns whether it built. */
export async function ensureGalleryBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  if (!galleryIsStale()) return false;
  log('Building the web gallery (client-example/web)…');
  const { build } = await import('vite');
  await build({ configFile: path.join(galleryRoot, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}
