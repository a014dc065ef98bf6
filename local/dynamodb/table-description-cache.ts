/**
 * dynalite reads a table's description from LevelDB at the start of every
 * item operation (its store's getTable): one LevelDB round trip through
 * libuv's thread pool per GetItem, PutItem, UpdateItem, … and about a third
 * of its CPU per operation. Descriptions change only through its table
 * writes (CreateTable, UpdateTable, DeleteTable, and the status changes they
 * schedule), so a description read once is kept until one of those writes
 * its key. Item operations (called as getTable(name, callback)) only read
 * the description: they share one deeply frozen copy, as parsing a copy for
 * each was most of a cached lookup's cost (a BatchGetItem looks its table up
 * once per key). The table operations (getTable(name, false, callback):
 * UpdateTable and DeleteTable change the object they are given) each get
 * their own copy.
 *
 * Only ACTIVE and UPDATING descriptions are kept: a table CREATING or
 * DELETING is "not found" to most operations, and that answer stays
 * dynalite's own. A read that was under way when a table write happened is
 * not kept (a generation counter, moved when a write starts and when it
 * lands), so a write is never followed by a stale description. At most `maxCachedBytes` of descriptions are kept, the oldest
 * dropped first: a caller creating many tables cannot grow the process.
 *
 * @example
 * const store = dynaliteDb.create(options);
 * cacheTableDescriptions(store);
 */

/** dynalite's getTable callback: its NotFound error, or the description. */
type TableCallback = (error: Error | null, table?: Record<string, unknown>) => void;

/** What this module uses of the store dynalite's db/index.js create() returns. */
export interface DynaliteStore {
  readonly tableDb: {
    put(key: string, value: unknown, callback?: (error?: Error) => void): unknown;
    del(key: string, callback?: (error?: Error) => void): unknown;
    batch(operations: readonly { readonly key: string }[], callback?: (error?: Error) => void): unknown;
  };
  getTable(name: string, checkStatus: boolean | TableCallback, callback?: TableCallback): void;
}

/** Descriptions are a few KB (20 indexes at most); 1 MiB holds every table a local stack has, many times over. */
export const maxCachedBytes = 1024 * 1024;

const cacheableStatuses = new Set(['ACTIVE', 'UPDATING']);

/** A kept description: the frozen copy item operations share, and its JSON length, what it counts towards the bound. */
interface KeptDescription {
  readonly shared: Readonly<Record<string, unknown>>;
  readonly bytes: number;
}

/** `value` and everything under it frozen: a caller that tried to change a shared description would throw, not change it for all. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Wraps `store` in place: its getTable answers from the kept descriptions, its table writes forget them. */
export function cacheTableDescriptions(store: DynaliteStore, capacityBytes: number = maxCachedBytes): void {
  const kept = new Map<string, KeptDescription>();
  let keptBytes = 0;
  let generation = 0;

  const forget = (name?: string) => {
    generation += 1;
    if (name === undefined) {
      kept.clear();
      keptBytes = 0;
      return;
    }
    const description = kept.get(name);
    if (description === undefined) return;
    kept.delete(name);
    keptBytes -= description.bytes;
  };

  const keep = (name: string, table: Record<string, unknown>) => {
    if (typeof table.TableStatus !== 'string' || !cacheableStatuses.has(table.TableStatus)) return;
    const json = JSON.stringify(table);
    if (json.length > capacityBytes) return;
    forget(name);
    kept.set(name, { shared: deepFreeze(JSON.parse(json) as Record<string, unknown>), bytes: json.length });
    keptBytes += json.length;
    for (const [oldest, description] of kept) {
      if (keptBytes <= capacityBytes) break;
      kept.delete(oldest);
      keptBytes -= description.bytes;
    }
  };

  const { tableDb } = store;
  const put = tableDb.put.bind(tableDb);
  const del = tableDb.del.bind(tableDb);
  const batch = tableDb.batch.bind(tableDb);
  // Forgotten when a write starts and again when it has landed: a read that overlapped the write (both run on
  // libuv's thread pool) may have seen the old value, and must not be kept as if it came after. dynalite always
  // passes a callback.
  const landed =
    (name: string | undefined, callback?: (error?: Error) => void) =>
    (error?: Error): void => {
      forget(name);
      callback?.(error);
    };
  tableDb.put = (key, value, callback) => {
    forget(key);
    return put(key, value, landed(key, callback));
  };
  tableDb.del = (key, callback) => {
    forget(key);
    return del(key, landed(key, callback));
  };
  tableDb.batch = (operations, callback) => {
    forget();
    return batch(operations, landed(undefined, callback));
  };

  const getTable = store.getTable.bind(store);
  store.getTable = (name, checkStatus, callback) => {
    const done = (typeof checkStatus === 'function' ? checkStatus : callback) as TableCallback;
    const description = kept.get(name);
    if (description !== undefined) {
      // An item operation (called as getTable(name, callback)) only reads the description: it gets the shared one.
      const table = typeof checkStatus === 'function' ? description.shared : structuredClone(description.shared);
      // Asynchronous, as a read from LevelDB answers.
      process.nextTick(done, null, table);
      return;
    }
    const startedAt = generation;
    // Called as getTable(name, callback), dynalite checks the status (its callback is truthy there): so does `true`.
    getTable(name, typeof checkStatus === 'function' ? true : checkStatus, (error, table) => {
      if (!error && table && generation === startedAt) keep(name, table);
      done(error, table);
    });
  };
}
