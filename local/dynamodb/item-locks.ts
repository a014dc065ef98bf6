/**
 * One readers-writer lock per item (rw-lock.ts), by item identity
 * (table-schemas.ts itemIdentity): the store layer (store-transport.ts) lets
 * writes of different items run side by side under its store-wide lock held
 * shared, and these keep two writes of one item (and a GetItem of it) in
 * arrival order. A lock exists only while someone holds or waits for it.
 *
 * A request naming several items (a BatchWriteItem) queues for all their
 * locks in one synchronous step as it arrives, so every lock's queue follows
 * arrival order: two requests sharing items never wait for each other in a
 * circle, and a request arriving after a batch waits for the batch's write of
 * any item they share, wherever it stands in the batch. (The locks are still
 * queued in sorted order, which alone keeps one-at-a-time queueing free of
 * circles too.)
 *
 * @example
 * const locks = new ItemLocks();
 * await locks.with(['["t",[["pk",{"S":"b"}]]]', '["t",[["pk",{"S":"a"}]]]'], 'exclusive', async () => write());
 */
import { ReadWriteLock, type LockMode } from './rw-lock.ts';

export class ItemLocks {
  private readonly locks = new Map<string, { readonly lock: ReadWriteLock; users: number }>();

  /** How many items have a lock now (held or waited for). */
  public get size(): number {
    return this.locks.size;
  }

  /**
   * Runs `work` holding the lock of every item in `identities` (duplicates
   * allowed) in `mode`, having queued for all of them before returning.
   */
  public async with<T>(identities: readonly string[], mode: LockMode, work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(identities)].sort();
    const entries = sorted.map((identity) => this.entry(identity));
    const acquired = entries.map((entry) => entry.lock.acquire(mode));
    try {
      await Promise.all(acquired);
      return await work();
    } finally {
      for (const [index, entry] of entries.entries()) {
        entry.lock.release(mode);
        entry.users -= 1;
        if (entry.users === 0) this.locks.delete(sorted[index]);
      }
    }
  }

  private entry(identity: string): { readonly lock: ReadWriteLock; users: number } {
    const entry = this.locks.get(identity) ?? { lock: new ReadWriteLock(), users: 0 };
    this.locks.set(identity, entry);
    entry.users += 1;
    return entry;
  }
}
