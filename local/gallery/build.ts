/**
 * Builds the web gallery (client-example/web) with Vite when its sources are
 * newer than the last build, so `npm install && npm start` serves it on a
 * fresh clone and later starts cost nothing.
 *
 * The build runs in a child process (Vite's own CLI, as `npm run gallery:build`
 * runs it), not in the stack's: Vite, its bundler's native binding and their
 * threads' allocations stayed resident in the stack after a build, ~300 MiB
 * RSS for as long as it ran; a child that exits takes them with it.
 *
 * One build at a time (buildOnce): stacks started at once on a fresh clone (the
 * tests start two) would otherwise each run Vite into the same dist/. The start
 * that takes client-example/.gallery-build.lock (api/build-lock.js, the bundle
 * cache's lock) builds; the others wait for it, then check again whether the
 * gallery is stale (a failed build leaves it so: the next builds). A lock left
 * by a start that died (its pid gone) or hung itself (untouched for 2 minutes)
 * is removed by the next. A Vite that hangs does not keep the lock touched
 * forever: its start kills it after viteTimeoutMs (5 minutes) and fails the
 * build, so the others wait at most that long. Where no lock can be made (a
 * read-only checkout), the start builds without one, as before.
 *
 * Built into a directory of its own and renamed into place (buildIntoPlace):
 * the stack's server reads dist/ per request, and a stack already running may
 * serve it while another start builds; it finds the old build or the new one,
 * never a half-written one (or one emptied by Vite's emptyOutDir).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { oneBuildAtATime, pidAlive } from '../../api/build-lock.js';
import { repoRoot } from '../../api/bundle.ts';

export const galleryRoot = path.join(repoRoot, 'client-example/web');
export const galleryDist = path.join(galleryRoot, 'dist');
const galleryConfig = path.join(galleryRoot, 'vite.config.ts');
/**
 * Where the gallery's build keeps its lock, its build under way and the build it replaces (git-ignored): beside
 * client-example/web, not in it, since a file made or removed in web/ changes its modification time, which
 * galleryIsStale compares (a removed source).
 */
const galleryWork = path.join(path.dirname(galleryRoot), '.gallery-build');

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

/** Whether `dist` has no build, or one older than a file or directory of `sources` (their `dist/` not counted). */
export function galleryIsStale(dist: string = galleryDist, from: readonly string[] = sources): boolean {
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return from.some((source) => existsSync(source) && newestMtime(source) > built);
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

/**
 * How long Vite's build may run before it is taken for hung and stopped: its start holds the build lock meanwhile,
 * touched, and every other start waits for it.
 */
export const viteTimeoutMs = 5 * 60_000;

/**
 * Runs `node <args>` (a build) in a child process; a GalleryBuildError when it fails, does not start or runs longer
 * than `timeoutMs` (then it is killed).
 */
export async function buildInChild(args: readonly string[], timeoutMs: number): Promise<void> {
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (error) => reject(new GalleryBuildError(`vite build did not start: ${error.message}`, { cause: error })));
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? -1 : null)));
    });
    if (timedOut) throw new GalleryBuildError(`vite build did not finish within ${Math.round(timeoutMs / 1000)} s: stopped`);
    if (code !== 0) throw new GalleryBuildError(`vite build exited with code ${code} (its output is above)`);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs Vite's build of the gallery into `outDir`, in a child process. */
async function viteBuild(outDir: string): Promise<void> {
  const args = [viteCli(), 'build', '--config', galleryConfig, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'];
  await buildInChild(args, viteTimeoutMs);
}

/** The `<work>.<kind>-<pid>-<id>` directories in `work`'s directory, with the pid of the start that made each. */
function workDirs(work: string, kind: 'tmp' | 'old'): { dir: string; pid: string }[] {
  const parent = path.dirname(work);
  const prefix = `${path.basename(work)}.${kind}-`;
  return readdirSync(parent)
    .filter((name) => name.startsWith(prefix))
    .map((name) => ({ dir: path.join(parent, name), pid: name.slice(prefix.length).split('-')[0] ?? '' }));
}

/**
 * Puts back the build a start moved aside (`<work>.old-*`) when `dist` is missing: a start killed between
 * buildIntoPlace's two renames leaves no `dist` and the last build there. The newest of those whose start is dead
 * (pidAlive, the lock's check): a live start's is its own, between its renames, and it puts one in place itself.
 */
export function restoreLeftBuild(dist: string, work: string): void {
  if (existsSync(dist)) return;
  const left = workDirs(work, 'old')
    .filter(({ pid }) => !pidAlive(pid))
    .map(({ dir }) => ({ dir, mtimeMs: statSync(dir).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  if (!left[0]) return;
  try {
    renameSync(left[0].dir, dist);
  } catch (error) {
    // Another start put one back meanwhile (both found dist missing): that one serves.
    if (!existsSync(dist)) throw error;
  }
}

/**
 * Builds `dist` by `build` into a directory of its own (`<work>.tmp-<pid>-*`, on the same file system), then puts
 * that in its place: a reader of `dist` finds the old build or the new one (or, for the instant between two renames,
 * none), never a half-written one. If the new one cannot be put in place, the old one is put back. What crashed
 * builds left goes first (restoreLeftBuild, then their `<work>.tmp-*` and `<work>.old-*`): only those whose start is
 * dead (pidAlive), since a start whose lock was judged stale while it lived (a laptop that slept) may still build.
 */
export async function buildIntoPlace(dist: string, work: string, build: (outDir: string) => Promise<void>): Promise<void> {
  restoreLeftBuild(dist, work);
  for (const { dir, pid } of [...workDirs(work, 'tmp'), ...workDirs(work, 'old')]) {
    if (!pidAlive(pid)) rmSync(dir, { recursive: true, force: true });
  }
  const id = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const ownDir = `${work}.tmp-${id}`;
  const oldDir = `${work}.old-${id}`;
  try {
    await build(ownDir);
    // A directory cannot be renamed over a full one: the old build out of the way first, then the new one in.
    if (existsSync(dist)) renameSync(dist, oldDir);
    try {
      renameSync(ownDir, dist);
    } catch (error) {
      // The old build back rather than none; if even that fails, oldDir stays for the next start's restoreLeftBuild.
      if (existsSync(oldDir) && !existsSync(dist)) renameSync(oldDir, dist);
      throw error;
    }
  } finally {
    rmSync(ownDir, { recursive: true, force: true });
    if (existsSync(dist)) rmSync(oldDir, { recursive: true, force: true });
  }
}

/** A build that one process at a time runs (buildOnce). */
export interface OnceBuild {
  /** The lock file (api/build-lock.js) the builder holds; its directory exists. Not in what isStale reads. */
  readonly lock: string;
  /** Whether the build is missing or older than its sources. */
  readonly isStale: () => boolean;
  readonly build: () => Promise<void>;
  /** Said once when another process is building it and this one waits. */
  readonly log: (line: string) => void;
}

/**
 * Runs `build` when the build is stale, one process at a time (api/build-lock.js: oneBuildAtATime): while another
 * holds `lock`, waits until its build is in place or the lock is released or found left behind, then checks again,
 * so that a build made meanwhile is used. Returns whether this process built.
 */
export function buildOnce({ lock, isStale, build, log }: OnceBuild): Promise<boolean> {
  return oneBuildAtATime({
    lock,
    existing: () => (isStale() ? undefined : false),
    build: async () => {
      await build();
      return true;
    },
    onWait: () => log("Waiting for another start's build of the web gallery…"),
  });
}

/** buildIntoPlace, then the build dated as new as its placing (galleryIsStale compares it with its sources). */
export async function placeGallery(dist: string, work: string, build: (outDir: string) => Promise<void>): Promise<void> {
  await buildIntoPlace(dist, work, build);
  // Renaming dist/ changed its parent's (web/'s) modification time after Vite wrote index.html. Dated a millisecond
  // after that, not at Date.now(): the file system keeps nanoseconds, and a now truncated to the millisecond may be
  // older than the rename made in the same millisecond.
  const placed = Math.max(Date.now(), statSync(path.dirname(dist)).mtimeMs);
  const dated = new Date(Math.ceil(placed) + 1);
  utimesSync(path.join(dist, 'index.html'), dated, dated);
}

/** Builds the gallery with Vite if its sources changed, one start at a time (buildOnce); returns whether this start built. */
export async function ensureGalleryBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  // A build left aside by a start killed mid-placing is the gallery's build, stale or not: put back before judging.
  restoreLeftBuild(galleryDist, galleryWork);
  return buildOnce({
    lock: `${galleryWork}.lock`,
    isStale: () => galleryIsStale(),
    build: async () => {
      log('Building the web gallery (client-example/web)…');
      await placeGallery(galleryDist, galleryWork, viteBuild);
    },
    log,
  });
}
