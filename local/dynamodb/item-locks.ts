/**
 * One readers-writer lock per item (rw-lock.ts), by item identity
 * (table-schemas.ts itemIdentity): the store layer (store-transport.ts) lets
 * writes of different items run side by side under its store-wide lock held
 * shared, and these keep two writes of one item (and a GetItem of it) in
 * arrival order. A lock exists only while someone holds or waits for it.
 *
 * A request naming several items (a BatchWriteItem) takes their locks one
 * after the other in sorted order, so two requests sharing items never wait
 * for each other in a circle; it queues for each item's lock only when it
 * reaches it (DynamoDB orders nothing between a batch's items either).
 *
 * @example
 * const locks = new ItemLocks();
 * await locks.with(['["t",[["pk",{"S":"b"}]]]', '["t",[["pk",{"S":"a"}]]]'], 'exclusive', async () => write());
 */
import { ReadWriteLock, type LockMode } from './rw-lock.ts';

export class ItemLocks {
  private readonly locks = new Map<string, { readonly lock: ReadWriteLock; users: number }>();

  /** Runs `work` holding the lock of every item in `identities` (duplicates allowed) in `mode`. */
  public async with<T>(identities: readonly string[], mode: LockMode, work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(identities)].sort();
    const held = (at: number): Promise<T> => (at === sorted.length ? work() : this.holding(sorted[at], mode, () => held(at + 1)));
    return held(0);
  }

  private async holding<T>(identity: string, mode: LockMode, work: () => Promise<T>): Promise<T> {
    let entry = this.locks.get(identity);
    if (!entry) {
      entry = { lock: new ReadWriteLock(), users: 0 };
      this.locks.set(identity, entry);
    }
    entry.users += 1;
    try {
      return await entry.lock.with(mode, work);
    } finally {
      entry.users -= 1;
      if (entry.users === 0) this.locks.delete(identity);
    }
  }
}
