/**
 * dynalite reads every single key (an item for GetItem, each key of a
 * BatchGetItem, the item a write replaces, a table description) with
 * LevelDB's asynchronous get: a job on libuv's thread pool, a promise, then a
 * setImmediate before its callback runs. A BatchGetItem of a 20-image page
 * is 20 of those hops, about as much CPU as the rest of the read, and each
 * waits for a pool thread on a busy machine. classic-level's getSync reads
 * the same committed state on the calling thread (LevelDB's block cache or
 * the page cache; a few microseconds), so the store's get answers from it.
 *
 * What does not change:
 * - what a read sees: getSync, like the asynchronous get, reads the state as
 *   of the call; writes still land through the thread pool and are awaited
 *   by their callers as before;
 * - the callback still runs after get returns (process.nextTick), never
 *   inside it;
 * - errors stay dynalite's: any throw of getSync (the database not open yet
 *   or closed, a value that does not decode) sends the read the asynchronous
 *   way, whose failure dynalite already handles; so do calls without a
 *   callback (the promise form) and a store that has no getSync.
 *
 * @example
 * const store = dynaliteDb.create(options);
 * readSynchronously(store.db);
 */

/** dynalite's get callback: an error, or the value (undefined when the key is absent). */
export type GetCallback = (error: Error | null, value?: unknown) => void;

/** What this module uses of the LevelDB instance dynalite's store keeps (its `db`, callback get added by dynalite). */
export interface SynchronouslyReadableDb {
  get(key: string, callback?: GetCallback): unknown;
  getSync?(key: string): unknown;
  readonly supports?: { readonly getSync?: boolean };
  /** abstract-level's status: 'opening', 'open', 'closing' or 'closed'. */
  readonly status?: string;
}

/** Wraps `db.get` in place: a get with a callback on an open database reads synchronously, and answers on the next tick. */
export function readSynchronously(db: SynchronouslyReadableDb): void {
  const { getSync } = db;
  if (db.supports?.getSync !== true || typeof getSync !== 'function') return;
  const get = db.get.bind(db);
  db.get = (key, callback) => {
    if (typeof callback !== 'function' || db.status !== 'open') return get(key, callback);
    let value: unknown;
    try {
      value = getSync.call(db, key);
    } catch {
      return get(key, callback);
    }
    process.nextTick(callback, null, value);
    return undefined;
  };
}
