/**
 * A binary min-heap: push and pop in O(log n), the least item first by
 * `before`. The local queue keeps its messages in three of them (by send
 * order, by the time they become visible, by the time they were sent), so a
 * receive costs what it hands out, not the length of the queue.
 *
 * @example
 * const heap = new MinHeap<number>((a, b) => a < b);
 * heap.push(3); heap.push(1);
 * heap.pop(); // 1
 */
export class MinHeap<T> {
  private items: T[] = [];

  /** `before(a, b)`: whether `a` comes out before `b`. */
  public constructor(private readonly before: (a: T, b: T) => boolean) {}

  public get size(): number {
    return this.items.length;
  }

  public peek(): T | undefined {
    return this.items[0];
  }

  public push(item: T): void {
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  public pop(): T | undefined {
    const { items } = this;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Keeps only the items `keep` accepts, in O(n): how a heap of lazily dropped entries is compacted. */
  public retain(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep);
    for (let index = (this.items.length >> 1) - 1; index >= 0; index -= 1) this.siftDown(index);
  }

  private siftUp(start: number): void {
    const { items } = this;
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(items[index], items[parent])) break;
      [items[index], items[parent]] = [items[parent], items[index]];
      index = parent;
    }
  }

  private siftDown(start: number): void {
    const { items } = this;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let least = index;
      if (left < items.length && this.before(items[left], items[least])) least = left;
      if (right < items.length && this.before(items[right], items[least])) least = right;
      if (least === index) return;
      [items[index], items[least]] = [items[least], items[index]];
      index = least;
    }
  }
}
