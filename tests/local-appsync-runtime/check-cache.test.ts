/**
 * The APPSYNC_JS check's cache of passed bundles (local/appsync/resolvers/check-cache.ts): a bundle text that
 * passed is not checked again, any other text is, a refusal is never kept, and a cache that cannot be written
 * only means checking every time. The check itself is api/appsync-js-check.ts (appsync-js-check.test.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppSyncJsCheckError, assertResolverBundle } from '../../api/appsync-js-check.ts';
import type { ResolverBundle } from '../../api/bundle.ts';
import { assertResolverBundleCached } from '../../local/appsync/resolvers/check-cache.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'labelcast-check-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bundleOf = (text: string): ResolverBundle => ({ text, inputs: [] });
const passing = bundleOf('export function request(ctx) { return {}; }\nexport function response(ctx) { return ctx.result; }\n');
const refused = bundleOf('export function request(ctx) { throw new Error("no"); }\n');

/** The real check, counting its calls. */
function countingCheck() {
  const calls: string[] = [];
  return {
    calls,
    check: (code: string, bundle: ResolverBundle) => {
      calls.push(code);
      assertResolverBundle(code, bundle);
    },
  };
}

describe('APPSYNC_JS check cache', () => {
  it('checks a bundle once, then takes its text as passed', () => {
    // Prepare
    const cacheDir = path.join(scratch, 'passes');
    const { calls, check } = countingCheck();

    // Act
    assertResolverBundleCached('a.ts', passing, { cacheDir, check });
    assertResolverBundleCached('b.ts', passing, { cacheDir, check });

    // Assess: the second file has the same text, so no second check
    expect(calls).toEqual(['a.ts']);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it('checks a changed text again', () => {
    const cacheDir = path.join(scratch, 'changed');
    const { calls, check } = countingCheck();
    assertResolverBundleCached('a.ts', passing, { cacheDir, check });
    assertResolverBundleCached('a.ts', bundleOf(`${passing.text}// edited\n`), { cacheDir, check });
    expect(calls).toEqual(['a.ts', 'a.ts']);
  });

  it('refuses a refused bundle every time, keeping nothing', () => {
    const cacheDir = path.join(scratch, 'refusals');
    const { calls, check } = countingCheck();
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => assertResolverBundleCached('bad.ts', refused, { cacheDir, check })).toThrow(AppSyncJsCheckError);
    }
    expect(calls).toEqual(['bad.ts', 'bad.ts']);
  });

  it('checks every time when the cache cannot be written (a read-only node_modules)', () => {
    // Prepare: a cache directory that cannot be made (its parent is a file; chmod would not stop root)
    const blocker = path.join(scratch, 'not-a-directory');
    writeFileSync(blocker, '');
    const { calls, check } = countingCheck();

    // Act and assess: passes without an error, and the check runs each time
    assertResolverBundleCached('a.ts', passing, { cacheDir: path.join(blocker, 'cache'), check });
    assertResolverBundleCached('a.ts', passing, { cacheDir: path.join(blocker, 'cache'), check });
    expect(calls).toEqual(['a.ts', 'a.ts']);
    expect(() => assertResolverBundleCached('bad.ts', refused, { cacheDir: path.join(blocker, 'cache'), check })).toThrow(AppSyncJsCheckError);
  });
});
