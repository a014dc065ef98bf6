/**
 * A lock file that lets one process build while others wait for its result: stacks started at once (the tests start
 * two at the beginning) build once instead of each. Used by the bundle cache (./cached-bundle.js) and the web
 * gallery's build (local/gallery/build.ts), both through oneBuildAtATime.
 *
 * The lock is a file made with 'wx' (only one maker succeeds) holding its holder's pid and a token of its own,
 * touched each second while it is held. Others poll it: it is left behind, and removed by whoever finds it so, when
 * its holder is dead (a start killed while it built) or it went untouched for 2 minutes (a holder that hangs). It is
 * removed only by its holder, or by one that judged it left behind and only if it still holds what was judged: a
 * lock taken over meanwhile by another contender, holding another token, stays.
 *
 * Plain JavaScript, like the launchers that use it (node runs them without a loader).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a lock may go untouched before others stop waiting for its holder (a builder that hangs keeps it). */
export const lockStaleMs = 2 * 60_000;
/** How often a holder touches its lock: far within lockStaleMs, even on a loaded machine. */
const lockRefreshMs = 1000;
/** How often a waiter looks at the lock (and at what it waits for). */
export const lockPollMs = 100;

/**
 * Takes `lock` when nobody holds it: then a held lock, touched until released; undefined when another holds it.
 * Throws what making the file threw otherwise (no directory, a read-only one): the caller decides to go unlocked.
 * @param {string} lock
 * @returns {import('./build-lock.js').HeldLock | undefined}
 */
export function takeLock(lock) {
  // Ours alone: a lock judged stale and taken over by another contender is never removed by us.
  const token = `${process.pid}:${randomUUID()}`;
  try {
    writeFileSync(lock, token, { flag: 'wx' });
  } catch (error) {
    if (error?.code === 'EEXIST') return undefined;
    throw error;
  }
  // Held while it is touched: a build longer than lockStaleMs (a loaded machine) is not taken for a hung one.
  const refresh = setInterval(() => touchIfHeld(lock, token), lockRefreshMs).unref();
  return {
    release() {
      clearInterval(refresh);
      removeIfHeld(lock, token);
    },
  };
}

/**
 * Runs `build` in one process at a time. Returns what `existing` finds (a build made before, or meanwhile by another
 * process) as soon as it finds one; else takes `lock` and, holding it, looks once more and builds. While another holds
 * the lock, waits, looking at `existing` each poll, until it finds a build or the lock is freed (released without one,
 * the holder's build failed; or left behind): then tries again. Where no lock can be made (no directory, a read-only
 * checkout), builds without one. `onWait` is called once per call, the first time it waits.
 * @template T
 * @param {import('./build-lock.js').OneBuild<T>} args
 * @returns {Promise<T>}
 */
export async function oneBuildAtATime({ lock, existing, build, onWait }) {
  let waited = false;
  for (;;) {
    const found = existing();
    if (found !== undefined) return found;
    let held;
    try {
      held = takeLock(lock);
    } catch {
      return build();
    }
    if (held) {
      try {
        // Made by the holder this process found there just before: nothing to build.
        return existing() ?? (await build());
      } finally {
        held.release();
      }
    }
    if (!waited) onWait?.();
    waited = true;
    while (!lockFreed(lock)) {
      await sleep(lockPollMs);
      const theirs = existing();
      if (theirs !== undefined) return theirs;
    }
  }
}

/**
 * Whether `lock` is free to take: gone (its holder released it), or left behind by a holder that died or hangs
 * (then removed here). False while a live holder holds it and touches it.
 * @param {string} lock
 * @returns {boolean}
 */
export function lockFreed(lock) {
  // Who holds it, read before its age: a lock taken over meanwhile holds another token and is not removed below.
  const holder = lockHolder(lock);
  let held;
  try {
    held = statSync(lock, { throwIfNoEntry: false });
  } catch {
    // Not readable now (EACCES, EIO, …), only gone counts as freed: still held, looked at again at the next poll.
    return false;
  }
  if (!held || holder === null) return true;
  // Unreadable for another reason than gone: still held, as above.
  if (holder === undefined) return false;
  if (Date.now() - held.mtimeMs > lockStaleMs || !holderAlive(holder)) {
    // Only the lock judged: another waiter may have removed it and taken a lock of its own meanwhile.
    removeIfHeld(lock, holder);
    return true;
  }
  return false;
}

/**
 * What `lock` holds (its holder's pid and token): null when it is gone (ENOENT), undefined when it could not be read
 * for another reason.
 * @param {string} lock
 * @returns {string | null | undefined}
 */
function lockHolder(lock) {
  try {
    return readFileSync(lock, 'utf8');
  } catch (error) {
    return error?.code === 'ENOENT' ? null : undefined;
  }
}

/**
 * Touches `lock` while it holds `holder`.
 * @param {string} lock
 * @param {string} holder
 */
function touchIfHeld(lock, holder) {
  if (lockHolder(lock) !== holder) return;
  try {
    const now = new Date();
    utimesSync(lock, now, now);
  } catch {
    // gone meanwhile
  }
}

/**
 * Removes `lock` while it holds `holder` (what a contender found there when it judged it left behind, or its own).
 * @param {string} lock
 * @param {string} holder
 */
function removeIfHeld(lock, holder) {
  if (lockHolder(lock) === holder) rmSync(lock, { force: true });
}

/**
 * Whether the process that wrote a lock holding `holder` still runs. A lock still empty (just made) counts as held.
 * @param {string} holder
 * @returns {boolean}
 */
function holderAlive(holder) {
  return pidAlive(holder.split(':')[0]);
}

/**
 * Whether the process `pid` (as written in a lock or a name) still runs; what is no pid counts as running, so that
 * nothing is judged left behind by it. The gallery's build sweeps its dead builds' directories by the same check.
 * @param {string} pidText
 * @returns {boolean}
 */
export function pidAlive(pidText) {
  const pid = Number(pidText);
  if (!/^\d+$/.test(pidText) || !Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return error?.code === 'EPERM';
  }
}
