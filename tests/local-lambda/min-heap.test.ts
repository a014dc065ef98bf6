/** The binary heap the local queue keeps its messages in (local/lambda/min-heap.ts). */
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../local/lambda/min-heap.ts';

/** A reproducible shuffle of 0..n-1. */
function shuffled(n: number): number[] {
  const values = Array.from({ length: n }, (_, index) => index);
  let seed = 7;
  for (let index = n - 1; index > 0; index -= 1) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = seed % (index + 1);
    [values[index], values[other]] = [values[other]!, values[index]!];
  }
  return values;
}

describe('Class: MinHeap', () => {
  it('pops the least item first, whatever the order pushed, and nothing once empty', () => {
    // Prepare
    const heap = new MinHeap<number>((a, b) => a < b);
    for (const value of shuffled(500)) heap.push(value);

    // Act
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop()!);

    // Assess
    expect(popped).toEqual(Array.from({ length: 500 }, (_, index) => index));
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
  });

  it('keeps only what retain accepts, still in order', () => {
    // Prepare
    const heap = new MinHeap<number>((a, b) => a < b);
    for (const value of shuffled(300)) heap.push(value);

    // Act: drop the odd ones, then push more
    heap.retain((value) => value % 2 === 0);
    heap.push(-1);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop()!);

    // Assess
    expect(popped).toEqual([-1, ...Array.from({ length: 150 }, (_, index) => index * 2)]);
  });
});
