/**
 * The local DynamoDB's store reads single keys synchronously
 * (local/dynamodb/synchronous-gets.ts): on a real LevelDB, what it answers
 * and when; on a fake one, each case that goes the asynchronous way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSynchronously, type GetCallback, type SynchronouslyReadableDb } from '../../local/dynamodb/synchronous-gets.ts';

/** A get through the wrapped callback form, and whether its callback ran before get returned. */
function getWithCallback(db: SynchronouslyReadableDb, key: string): Promise<{ error: Error | null; value: unknown; calledBack: 'during get' | 'after get' }> {
  return new Promise((resolve) => {
    let returned = false;
    db.get(key, (error, value) => resolve({ error, value, calledBack: returned ? 'after get' : 'during get' }));
    returned = true;
  });
}

describe('Function: readSynchronously, on LevelDB', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-sync-gets-'));
  let level: ClassicLevel<string, unknown>;
  /** The callback get dynalite puts on its db (db/index.js), over the promise get. */
  let db: SynchronouslyReadableDb & { asynchronousGets: number };

  beforeAll(async () => {
    level = new ClassicLevel<string, unknown>(dataDir, { valueEncoding: 'json' });
    await level.open();
    await level.put('item-images~a', { pk: { S: 'a' }, note: { S: 'stored' } });
    const promiseGet = level.get.bind(level);
    db = Object.assign(level as unknown as SynchronouslyReadableDb, {
      asynchronousGets: 0,
      get: (key: string, callback?: GetCallback) => {
        db.asynchronousGets += 1;
        const read = promiseGet(key);
        if (!callback) return read;
        read.then((value) => setImmediate(callback, null, value), (error: Error) => setImmediate(callback, error));
        return undefined;
      },
    });
    readSynchronously(db);
  });
  afterAll(async () => {
    await level.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a stored value and an absent key without the asynchronous get, after get has returned', async () => {
    // Act
    const stored = await getWithCallback(db, 'item-images~a');
    const absent = await getWithCallback(db, 'item-images~b');

    // Assess
    expect(stored).toEqual({ error: null, value: { pk: { S: 'a' }, note: { S: 'stored' } }, calledBack: 'after get' });
    expect(absent).toEqual({ error: null, value: undefined, calledBack: 'after get' });
    expect(db.asynchronousGets).toBe(0);
  });

  it('sees a write as soon as it has landed', async () => {
    // Act
    await level.put('item-images~a', { pk: { S: 'a' }, note: { S: 'rewritten' } });
    const read = await getWithCallback(db, 'item-images~a');

    // Assess
    expect(read.value).toEqual({ pk: { S: 'a' }, note: { S: 'rewritten' } });
  });

  it('leaves the promise form as it was', async () => {
    const before = db.asynchronousGets;
    await expect(db.get('item-images~a') as Promise<unknown>).resolves.toEqual({ pk: { S: 'a' }, note: { S: 'rewritten' } });
    expect(db.asynchronousGets).toBe(before + 1);
  });
});

describe('Function: readSynchronously, on a fake store', () => {
  /** A db whose getSync answers `value` or throws it, and whose asynchronous get answers "from the pool". */
  function fakeDb(getSync: () => unknown, status = 'open') {
    const db = {
      status,
      supports: { getSync: true },
      asynchronousGets: 0,
      getSync,
      get(_key: string, callback?: GetCallback): unknown {
        db.asynchronousGets += 1;
        setImmediate(() => callback?.(null, 'from the pool'));
        return undefined;
      },
    };
    readSynchronously(db);
    return db;
  }

  it('sends a read the asynchronous way when getSync throws, so the error stays dynalite’s to handle', async () => {
    // Prepare
    const db = fakeDb(() => {
      throw Object.assign(new Error('Could not decode value'), { code: 'LEVEL_DECODE_ERROR' });
    });

    // Act
    const read = await getWithCallback(db, 'k');

    // Assess
    expect(read.value).toBe('from the pool');
    expect(db.asynchronousGets).toBe(1);
  });

  it('sends a read the asynchronous way while the database is not open (opening, closing, closed)', async () => {
    for (const status of ['opening', 'closing', 'closed']) {
      const db = fakeDb(() => 'synchronously', status);
      expect((await getWithCallback(db, 'k')).value).toBe('from the pool');
      expect(db.asynchronousGets).toBe(1);
    }
  });

  it('leaves a store without getSync as it is', () => {
    // Prepare
    const get = () => undefined;
    const db: SynchronouslyReadableDb = { get, status: 'open', supports: { getSync: false } };

    // Act
    readSynchronously(db);

    // Assess
    expect(db.get).toBe(get);
  });
});
