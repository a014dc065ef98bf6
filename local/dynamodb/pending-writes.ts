/**
 * The items that writes waiting for the store's locks, or holding them,
 * will change (store-transport.ts). A GetItem reads one item: when no pending
 * write names it, nothing it could see is half done, so it reads without
 * waiting for any lock (behind a transaction or a batch of other items); when
 * one does, it waits for its item's lock (item-locks.ts), for which every
 * write of the item that arrived before it, a batch's included, queued as it
 * arrived. A write whose items cannot be named (a table it has not described
 * yet, a table operation) counts as naming every item until it ends.
 *
 * @example
 * const pending = new PendingWrites();
 * const release = pending.add(['["t",[["pk",{"S":"a"}]]]']);
 * pending.names('["t",[["pk",{"S":"a"}]]]'); // true
 * release();
 */
export class PendingWrites {
  private readonly items = new Map<string, number>();
  private unnamed = 0;

  /** Registers a write of `identities` (undefined: it cannot say which items); returns its release. */
  public add(identities: readonly string[] | undefined): () => void {
    if (identities === undefined) {
      this.unnamed += 1;
      return () => void (this.unnamed -= 1);
    }
    for (const identity of identities) this.items.set(identity, (this.items.get(identity) ?? 0) + 1);
    return () => {
      for (const identity of identities) {
        const count = (this.items.get(identity) ?? 1) - 1;
        if (count === 0) this.items.delete(identity);
        else this.items.set(identity, count);
      }
    };
  }

  /** Whether a pending write may change the item. */
  public names(identity: string): boolean {
    return this.unnamed > 0 || this.items.has(identity);
  }
}
