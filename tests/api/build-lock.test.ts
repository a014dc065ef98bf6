/**
 * The build lock (api/build-lock.js). Its waiter side (lockFreed): a lock it cannot look at for another reason than its
 * being gone counts as still held (looked at again at the next poll), not as freed and not as a thrown error. The loop
 * both the bundle cache and the gallery's build run (oneBuildAtATime): one builder, the others take its build.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFreed, oneBuildAtATime, takeLock } from '../../api/build-lock.js';
import { tempDirs } from '../support/temp-dirs.ts';

const freshDir = tempDirs('labelcast-build-lock-');

describe('Function: lockFreed', () => {
  it('is true when the lock is gone', () => {
    expect(lockFreed(path.join(freshDir(), 'work.lock'))).toBe(true);
  });

  it('is false while a live holder holds it', () => {
    const lock = path.join(freshDir(), 'work.lock');
    const held = takeLock(lock);
    try {
      expect(lockFreed(lock)).toBe(false);
    } finally {
      held?.release();
    }
  });

  it('is false (held) when the lock cannot be read: ENOTDIR on its path', () => {
    // Prepare: a file where the lock's directory should be
    const notDir = path.join(freshDir(), 'file');
    writeFileSync(notDir, '');

    // Act, Assess
    expect(lockFreed(path.join(notDir, 'work.lock'))).toBe(false);
  });

  it('is false (held) when the lock cannot be read: EISDIR, and leaves it', () => {
    const lock = path.join(freshDir(), 'work.lock');
    mkdirSync(lock);
    expect(lockFreed(lock)).toBe(false);
  });
});

describe('Function: oneBuildAtATime', () => {
  it('returns the build already made, without building or taking the lock', async () => {
    const lock = path.join(freshDir(), 'work.lock');
    const built = await oneBuildAtATime({ lock, existing: () => 'made before', build: () => Promise.reject(new Error('built')) });
    expect(built).toBe('made before');
    expect(existsSync(lock)).toBe(false);
  });

  it('looks again once it holds the lock: a build placed by a holder that released it just before is taken', async () => {
    // Prepare: nothing exists at the first look; by the time the lock is taken, another's build does
    const lock = path.join(freshDir(), 'work.lock');
    let looks = 0;
    const existing = () => (++looks > 1 ? 'theirs' : undefined);

    // Act, Assess
    await expect(oneBuildAtATime({ lock, existing, build: () => Promise.reject(new Error('built')) })).resolves.toBe('theirs');
    expect(existsSync(lock)).toBe(false);
  });

  it("takes the holder's build as soon as it exists, while the holder still holds the lock", async () => {
    // Prepare: another holder of the lock, whose build appears while it holds it
    const lock = path.join(freshDir(), 'work.lock');
    const held = takeLock(lock);
    let made: string | undefined;
    const waits: string[] = [];
    try {
      // Act
      const taking = oneBuildAtATime({ lock, existing: () => made, build: () => Promise.resolve('ours'), onWait: () => waits.push('waits') });
      await new Promise((resolve) => setTimeout(resolve, 250));
      made = 'theirs';

      // Assess
      await expect(taking).resolves.toBe('theirs');
      expect(waits).toEqual(['waits']);
    } finally {
      held?.release();
    }
  });

  it('builds itself once the holder released the lock without a build, and removes its own lock', async () => {
    // Prepare: another holder whose build fails (it releases the lock, nothing exists)
    const lock = path.join(freshDir(), 'work.lock');
    const held = takeLock(lock);
    let builds = 0;

    // Act
    const taking = oneBuildAtATime({ lock, existing: () => undefined, build: () => Promise.resolve(`ours ${++builds}`) });
    await new Promise((resolve) => setTimeout(resolve, 250));
    held?.release();

    // Assess
    await expect(taking).resolves.toBe('ours 1');
    expect(existsSync(lock)).toBe(false);
  });

  it('builds without a lock where none can be made', async () => {
    const notDir = path.join(freshDir(), 'file');
    writeFileSync(notDir, '');
    await expect(oneBuildAtATime({ lock: path.join(notDir, 'work.lock'), existing: () => undefined, build: () => Promise.resolve('unlocked') })).resolves.toBe('unlocked');
  });
});
