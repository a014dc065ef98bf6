/**
 * The build lock's waiter side (api/build-lock.js: lockFreed): a lock it cannot look at for another reason than its
 * being gone counts as still held (looked at again at the next poll), not as freed and not as a thrown error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFreed, takeLock } from '../../api/build-lock.js';
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
