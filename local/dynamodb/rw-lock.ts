/**
 * A first-come readers-writer lock: any number of shared holders at once, or
 * one exclusive holder. Waiters are served in arrival order, so a stream of
 * readers never starves a writer.
 */
export type LockMode = 'shared' | 'exclusive';

export class ReadWriteLock {
  private shared = 0;
  private exclusive = false;
  private readonly waiting: { mode: LockMode; grant: () => void }[] = [];

  /** Runs `work` holding the lock in `mode`, released however `work` ends. */
  public async with<T>(mode: LockMode, work: () => Promise<T>): Promise<T> {
    await this.acquire(mode);
    try {
      return await work();
    } finally {
      this.release(mode);
    }
  }

  /**
   * Queues for the lock in `mode` synchronously (so several locks queued in
   * one synchronous step keep one arrival order in every queue); resolves
   * once it is held. Each acquire is matched by one release.
   */
  public acquire(mode: LockMode): Promise<void> {
    if (this.waiting.length === 0 && this.canGrant(mode)) {
      this.take(mode);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ mode, grant: resolve }));
  }

  private canGrant(mode: LockMode): boolean {
    return mode === 'shared' ? !this.exclusive : !this.exclusive && this.shared === 0;
  }

  private take(mode: LockMode): void {
    if (mode === 'shared') this.shared += 1;
    else this.exclusive = true;
  }

  /** Gives back a hold taken in `mode`; one that is not held is a caller's bug, thrown rather than miscounted. */
  public release(mode: LockMode): void {
    if (mode === 'shared' ? this.shared === 0 : !this.exclusive) throw new Error(`ReadWriteLock: released in ${mode} mode without holding it`);
    if (mode === 'shared') this.shared -= 1;
    else this.exclusive = false;
    while (this.waiting.length > 0 && this.canGrant(this.waiting[0].mode)) {
      const next = this.waiting.shift()!;
      this.take(next.mode);
      next.grant();
    }
  }
}
