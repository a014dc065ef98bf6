/**
 * Resolver bundles made ready for the sandbox (local/appsync/resolvers/prepared-code.ts): a bundle text that
 * passed the APPSYNC_JS check is not checked or converted again, any other text is, a refusal is never kept,
 * and a cache that cannot be written only means doing both every time. The check itself is
 * api/appsync-js-check.ts (appsync-js-check.test.ts), the conversion module-script.ts (sandbox.test.ts).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppSyncJsCheckError, assertResolverBundle } from '../../api/appsync-js-check.ts';
import type { ResolverBundle } from '../../api/bundle.ts';
import { moduleFactorySource } from '../../local/appsync/resolvers/module-script.ts';
import { preparedResolverCode } from '../../local/appsync/resolvers/prepared-code.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'labelcast-prepared-code-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bundleOf = (text: string): ResolverBundle => ({ text, inputs: [] });
const passing = bundleOf("import { util } from '@aws-appsync/utils';\nexport function request(ctx) { return { id: util.autoId() }; }\nexport function response(ctx) { return ctx.result; }\n");
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

describe('prepared resolver code', () => {
  it('checks a bundle once, then takes its text as passed, with the same script', () => {
    // Prepare
    const cacheDir = path.join(scratch, 'passes');
    const { calls, check } = countingCheck();

    // Act
    const first = preparedResolverCode('a.ts', passing, { cacheDir, check });
    const second = preparedResolverCode('b.ts', passing, { cacheDir, check });

    // Assess: the second file has the same text, so no second check, and the script is the conversion's
    expect(calls).toEqual(['a.ts']);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(first).toBe(moduleFactorySource('a.ts', passing.text));
    expect(second).toBe(first);
  });

  it('checks a changed text again', () => {
    const cacheDir = path.join(scratch, 'changed');
    const { calls, check } = countingCheck();
    preparedResolverCode('a.ts', passing, { cacheDir, check });
    const edited = bundleOf(`${passing.text}// edited\n`);
    expect(preparedResolverCode('a.ts', edited, { cacheDir, check })).toBe(moduleFactorySource('a.ts', edited.text));
    expect(calls).toEqual(['a.ts', 'a.ts']);
  });

  it('refuses a refused bundle every time, keeping nothing', () => {
    const cacheDir = path.join(scratch, 'refusals');
    const { calls, check } = countingCheck();
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => preparedResolverCode('bad.ts', refused, { cacheDir, check })).toThrow(AppSyncJsCheckError);
    }
    expect(calls).toEqual(['bad.ts', 'bad.ts']);
    expect(existsSync(cacheDir) ? readdirSync(cacheDir) : []).toEqual([]);
  });

  it('checks and converts every time when the cache cannot be written (a read-only node_modules)', () => {
    // Prepare: a cache directory that cannot be made (its parent is a file; chmod would not stop root)
    const blocker = path.join(scratch, 'not-a-directory');
    writeFileSync(blocker, '');
    const cacheDir = path.join(blocker, 'cache');
    const { calls, check } = countingCheck();

    // Act and assess: the same script without an error, and the check runs each time
    expect(preparedResolverCode('a.ts', passing, { cacheDir, check })).toBe(moduleFactorySource('a.ts', passing.text));
    expect(preparedResolverCode('a.ts', passing, { cacheDir, check })).toBe(moduleFactorySource('a.ts', passing.text));
    expect(calls).toEqual(['a.ts', 'a.ts']);
    expect(() => preparedResolverCode('bad.ts', refused, { cacheDir, check })).toThrow(AppSyncJsCheckError);
  });
});
