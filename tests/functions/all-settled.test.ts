/** allSettledOrThrow (functions/shared/all-settled.ts): side-by-side work ends as one step. */
import { describe, expect, it } from 'vitest';
import { allSettledOrThrow } from '../../functions/shared/all-settled.ts';

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(value) : resolve(value)), ms));

describe('Function: allSettledOrThrow', () => {
  it('resolves once every promise has resolved, skipping work not started', async () => {
    // Prepare
    const done: string[] = [];

    // Act
    await allSettledOrThrow([later(5, 'a').then((v) => done.push(v)), undefined, later(1, 'b').then((v) => done.push(v))]);

    // Assess
    expect(done.sort()).toEqual(['a', 'b']);
  });

  it('rejects with the first rejection in argument order, only after the slower work has settled', async () => {
    // Prepare
    let slowSettled = false;
    const slow = later(20, 'slow').then(() => void (slowSettled = true));
    const firstError = new Error('first');

    // Act
    const outcome = allSettledOrThrow([later(5, firstError, true), slow, later(1, new Error('second'), true)]);

    // Assess
    await expect(outcome).rejects.toBe(firstError);
    expect(slowSettled).toBe(true);
  });
});
