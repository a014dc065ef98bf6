/** allSettledOrThrow (functions/shared/all-settled.ts): side-by-side work ends as one step. */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { allSettledOrThrow, type StepFailure } from '../../functions/shared/all-settled.ts';

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

  it('carries the later failures on the first, each once, so the log of a failed step shows them all', async () => {
    // Prepare: the index awaits the record (image-push.ts pushHeld), so the record's failure rejects both.
    const recordFailed = new Error('record failed');
    const indexFailed = new Error('index failed');
    const recorded = Promise.reject(recordFailed);
    const lines: string[] = [];
    const logger = new Logger({ serviceName: 'all-settled-test' });

    // Act
    const error = await allSettledOrThrow([recorded, recorded.then(() => undefined), Promise.reject(indexFailed)]).catch((thrown: unknown) => thrown);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    try {
      logger.error('step failed', { error: error as Error });
    } finally {
      write.mockRestore();
    }

    // Assess: the error callers classify is the first as it came; the log holds the second too.
    expect(error).toBe(recordFailed);
    expect((error as StepFailure).alsoFailed).toEqual([indexFailed]);
    const logged = JSON.parse(lines.join('')) as { error: { message: string; alsoFailed: { message: string }[] } };
    expect(logged.error.message).toBe('record failed');
    expect(logged.error.alsoFailed.map((failure) => failure.message)).toEqual(['index failed']);
  });
});
