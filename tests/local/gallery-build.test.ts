/**
 * The gallery's build runs once when stacks start at once (local/gallery/build.ts: buildOnce, under the build lock
 * of api/build-lock.js), is put in place whole (buildIntoPlace; what a killed start left put back or swept only once
 * its start is dead: restoreLeftBuild), is stopped when it hangs (buildInChild) and is dated so that it counts as
 * current (placeGallery, galleryIsStale). Vite itself is replaced by builds that write a file or two, so that a test
 * costs no Vite run; ensureGalleryBuilt is buildOnce and placeGallery with Vite.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { buildInChild, buildIntoPlace, buildOnce, GalleryBuildError, galleryIsStale, placeGallery, restoreLeftBuild } from '../../local/gallery/build.ts';
import { childModule } from '../support/child-module.ts';
import { backdate, diedPid } from '../support/lock-holders.ts';

const root = mkdtempSync(path.join(tmpdir(), 'labelcast-gallery-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A start's gallery build in a directory of its own: dist/, its work beside it, its lock, a log of the builds run. */
function place(name: string) {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return { dir, dist: path.join(dir, 'dist'), work: path.join(dir, 'work'), lock: path.join(dir, 'work.lock'), runs: path.join(dir, 'runs') };
}

/**
 * One start, in a process of its own: buildOnce of a build that records that it ran, then waits until the other
 * start waits for it (it says so in `waiting`) or builds too (a second line in `runs`), so that the two starts
 * contend whatever their timing, then writes dist/ (an asset, then index.html naming it). Prints whether it built.
 * It imports local/gallery/build.ts from the URL it is given: its bundle, run by plain node (../support/child-module.ts).
 */
const startScript = `
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
const [dir, buildModule] = process.argv.slice(1);
const { buildIntoPlace, buildOnce } = await import(buildModule);
const dist = path.join(dir, 'dist');
const runs = path.join(dir, 'runs');
const waiting = path.join(dir, 'waiting');
const fakeVite = async (outDir) => {
  appendFileSync(runs, process.pid + '\\n');
  while (!existsSync(waiting) && readFileSync(runs, 'utf8').trim().split('\\n').length < 2) await sleep(20);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'app.js'), 'built by ' + process.pid);
  writeFileSync(path.join(outDir, 'index.html'), '<script src="./app.js"></script>');
};
const built = await buildOnce({
  lock: path.join(dir, 'work.lock'),
  isStale: () => !existsSync(path.join(dist, 'index.html')),
  build: () => buildIntoPlace(dist, path.join(dir, 'work'), fakeVite),
  log: (line) => appendFileSync(waiting, line + '\\n'),
});
console.log(JSON.stringify({ built, app: readFileSync(path.join(dist, 'app.js'), 'utf8') }));
`;

const start = async (dir: string) => {
  const { execArgv, url } = await childModule('local/gallery/build.ts');
  const { stdout } = await promisify(execFile)(process.execPath, [...execArgv, '--input-type=module', '-e', startScript, dir, url], { cwd: repoRoot });
  return JSON.parse(stdout) as { built: boolean; app: string };
};

/** A build of `dist` that writes an index.html saying `text`. */
const writing = (text: string) => async (outDir: string) => {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'index.html'), text);
};

describe('Function: buildOnce', () => {
  it('builds once for two starts at once: the other waits, says so, and uses that build', async () => {
    // Prepare
    const { dir, dist, work, lock, runs } = place('two-starts');

    // Act
    const results = await Promise.all([start(dir), start(dir)]);

    // Assess: one build ran; each start found the whole build it made
    const [builder] = readFileSync(runs, 'utf8').trim().split('\n');
    expect(readFileSync(runs, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(results.map(({ built }) => built).sort()).toEqual([false, true]);
    expect(results.map(({ app }) => app)).toEqual([`built by ${builder}`, `built by ${builder}`]);
    expect(readFileSync(path.join(dir, 'waiting'), 'utf8')).toBe("Waiting for another start's build of the web gallery…\n");
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('<script src="./app.js"></script>');
    expect(existsSync(lock)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith(path.basename(work)))).toEqual([]);
  }, 60_000);

  it.each([
    ['that died', diedPid, 0],
    ['that still runs but left it untouched for 3 minutes', () => Promise.resolve(process.pid), 3],
  ])('builds when the lock was left by a start %s, and removes it', async (_holder, holderPid, minutesAgo) => {
    // Prepare
    const { dist, work, lock } = place(`left-lock-${minutesAgo}`);
    writeFileSync(lock, `${await holderPid()}:left-behind`);
    backdate(lock, minutesAgo);

    // Act
    const built = await buildOnce({ lock, isStale: () => !existsSync(dist), build: () => buildIntoPlace(dist, work, writing('new')), log: () => undefined });

    // Assess
    expect(built).toBe(true);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('new');
    expect(existsSync(lock)).toBe(false);
  }, 20_000);

  it('builds nothing when the build is current', async () => {
    const { dist, work, lock } = place('current');
    await buildIntoPlace(dist, work, writing('current'));
    const built = await buildOnce({ lock, isStale: () => false, build: () => Promise.reject(new Error('built')), log: () => undefined });
    expect(built).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });

  it("reports a failed build's error and releases the lock, leaving the last build in place", async () => {
    // Prepare
    const { dir, dist, work, lock } = place('failed');
    await buildIntoPlace(dist, work, writing('last'));
    const failing = async (outDir: string) => {
      await writing('half')(outDir);
      throw new GalleryBuildError('vite build exited with code 1');
    };

    // Act
    const building = buildOnce({ lock, isStale: () => true, build: () => buildIntoPlace(dist, work, failing), log: () => undefined });

    // Assess
    await expect(building).rejects.toThrow(GalleryBuildError);
    expect(existsSync(lock)).toBe(false);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('last');
    expect(readdirSync(dir).sort()).toEqual(['dist']);
  });
});

describe('Function: buildOnce, when the holder fails', () => {
  it("builds in the start that waited, once the holder's build failed and released the lock", async () => {
    // Prepare: a holder whose build fails once a second start waits for it
    const { dist, work, lock } = place('holder-fails');
    const isStale = () => !existsSync(path.join(dist, 'index.html'));
    let holderStarted!: () => void;
    const started = new Promise<void>((resolve) => (holderStarted = resolve));
    let waiterWaits!: () => void;
    const waits = new Promise<void>((resolve) => (waiterWaits = resolve));
    const holder = buildOnce({
      lock,
      isStale,
      build: () =>
        buildIntoPlace(dist, work, async (outDir) => {
          holderStarted();
          await waits;
          await writing('half')(outDir);
          throw new GalleryBuildError('vite build exited with code 1');
        }),
      log: () => undefined,
    });
    await started;

    // Act
    const waiter = buildOnce({ lock, isStale, build: () => buildIntoPlace(dist, work, writing('waiter')), log: waiterWaits });

    // Assess
    await expect(holder).rejects.toThrow(GalleryBuildError);
    await expect(waiter).resolves.toBe(true);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('waiter');
    expect(existsSync(lock)).toBe(false);
  }, 20_000);
});

describe('Function: buildIntoPlace', () => {
  it("replaces the last build whole and removes what dead starts' builds left, not a live start's", async () => {
    // Prepare: a build in place, what a start killed while building left, and a live start's build under way
    const { dir, dist, work } = place('replace');
    await buildIntoPlace(dist, work, writing('old'));
    writeFileSync(path.join(dist, 'old-asset.js'), '');
    const dead = await diedPid();
    mkdirSync(`${work}.tmp-${dead}-crashed`);
    mkdirSync(`${work}.old-${dead}-crashed`);
    const live = `${work}.tmp-${process.pid}-building`;
    mkdirSync(live);

    // Act
    await buildIntoPlace(dist, work, async (outDir) => {
      // Whole replacement: the old build serves while the new one is made
      expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('old');
      await writing('new')(outDir);
    });

    // Assess
    expect(readdirSync(dist)).toEqual(['index.html']);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['dist', path.basename(live)]);
  });

  it('puts the old build back when the new one cannot be put in place', async () => {
    // Prepare: a build that reports success but wrote nothing, so the rename into place fails
    const { dir, dist, work } = place('unplaced');
    await buildIntoPlace(dist, work, writing('old'));

    // Act
    const placing = buildIntoPlace(dist, work, () => Promise.resolve());

    // Assess
    await expect(placing).rejects.toThrow(/ENOENT/);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['dist']);
  });
});

describe('Function: restoreLeftBuild', () => {
  it("puts back the newest build a dead start moved aside when dist is missing, not a live start's", async () => {
    // Prepare: no dist; two builds moved aside by a start killed between the renames, one by a live start
    const { dir, dist, work } = place('left-aside');
    const dead = await diedPid();
    await writing('older')(`${work}.old-${dead}-a`);
    await writing('newest')(`${work}.old-${dead}-b`);
    await writing('live')(`${work}.old-${process.pid}-c`);
    backdate(`${work}.old-${dead}-a`, 1);
    backdate(`${work}.old-${process.pid}-c`, -1);

    // Act
    restoreLeftBuild(dist, work);

    // Assess
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('newest');
    expect(readdirSync(dir).sort()).toEqual(['dist', `work.old-${dead}-a`, `work.old-${process.pid}-c`].sort());
  });

  it('leaves dist as it is when it exists', async () => {
    const { dist, work } = place('left-aside-dist');
    await buildIntoPlace(dist, work, writing('current'));
    await writing('aside')(`${work}.old-${await diedPid()}-a`);
    restoreLeftBuild(dist, work);
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).toBe('current');
  });
});

describe('Function: buildInChild', () => {
  it('kills a build that runs longer than its time and fails it as a GalleryBuildError', async () => {
    // Prepare: a build that never ends
    const hanging = ['-e', 'setInterval(() => {}, 1000)'];

    // Act
    const building = buildInChild(hanging, 200);

    // Assess
    await expect(building).rejects.toThrow(GalleryBuildError);
    await expect(building).rejects.toThrow(/did not finish within/);
  }, 20_000);

  it('fails a build that exits with an error code as a GalleryBuildError', async () => {
    await expect(buildInChild(['-e', 'process.exit(3)'], 60_000)).rejects.toThrow(/exited with code 3/);
  });
});

describe('Function: galleryIsStale', () => {
  /** Sources with their dist/ inside (as client-example/web), last edited a minute ago, and a build Vite wrote then. */
  function sourcesWithDist(name: string) {
    const { dir } = place(name);
    const web = path.join(dir, 'web');
    mkdirSync(web);
    writeFileSync(path.join(web, 'main.ts'), '');
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path.join(web, 'main.ts'), minuteAgo, minuteAgo);
    utimesSync(web, minuteAgo, minuteAgo);
    const viteWroteThen = async (outDir: string) => {
      await writing('built')(outDir);
      utimesSync(path.join(outDir, 'index.html'), minuteAgo, minuteAgo);
    };
    return { web, dist: path.join(web, 'dist'), work: path.join(dir, 'work'), viteWroteThen };
  }

  it('is false after placeGallery (the build placed, then dated as new as its placing)', async () => {
    const { web, dist, work, viteWroteThen } = sourcesWithDist('stale-placed');
    await placeGallery(dist, work, viteWroteThen);
    expect(galleryIsStale(dist, [web])).toBe(false);
  });

  it("is true after buildIntoPlace alone: placing dist/ made its parent newer than Vite's index.html", async () => {
    const { web, dist, work, viteWroteThen } = sourcesWithDist('stale-unplaced');
    await buildIntoPlace(dist, work, viteWroteThen);
    expect(galleryIsStale(dist, [web])).toBe(true);
  });

  it('is true when there is no build', () => {
    const { web, dist } = sourcesWithDist('stale-none');
    expect(galleryIsStale(dist, [web])).toBe(true);
  });
});
