/**
 * The functions' bundles between stack starts (local/lambda/function-bundle.ts over api/cached-bundle.js): a
 * second start with unchanged sources takes them from the cache, as files of its own state directory whose source
 * maps still name the sources; without a writable cache they are built there directly. That they run is in
 * function-process.test.ts.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunctions } from '../../local/lambda/function-bundle.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-function-bundle-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const entry = fileURLToPath(new URL('./fixtures/native-module-handler.ts', import.meta.url));
const args = { entries: { native: entry }, nativeModules: ['sharp'] } as const;

describe('Function: bundleFunctions', () => {
  it('takes the bundles of a second start from the cache, into its own state directory, with maps that name the sources', async () => {
    // Prepare
    const cacheDir = path.join(workDir, 'cache');

    // Act: two stack starts, each with its state directory
    const first = await bundleFunctions({ ...args, cacheDir, outDir: path.join(workDir, 'first') });
    const second = await bundleFunctions({ ...args, cacheDir, outDir: path.join(workDir, 'second') });

    // Assess: one build, whose files both directories hold
    expect(readdirSync(cacheDir).filter((name) => name.startsWith('build-'))).toHaveLength(1);
    expect(second.handlers.native).toBe(path.join(workDir, 'second', 'native.mjs'));
    expect(readFileSync(second.handlers.native, 'utf8')).toBe(readFileSync(first.handlers.native, 'utf8'));
    expect(existsSync(second.host)).toBe(true);
    const map = JSON.parse(readFileSync(`${second.handlers.native}.map`, 'utf8')) as { sourceRoot: string; sources: string[] };
    expect(map.sources.map((source) => fileURLToPath(new URL(source, map.sourceRoot)))).toContain(entry);
  });

  it('leaves only the bundles and their maps in a state directory it places them in again (a restart)', async () => {
    // Prepare
    const cacheDir = path.join(workDir, 'cache');
    const outDir = path.join(workDir, 'restarted');

    // Act: two starts on one state directory, the second finding the same build's files already there
    await bundleFunctions({ ...args, cacheDir, outDir });
    await bundleFunctions({ ...args, cacheDir, outDir });

    // Assess
    expect(readdirSync(outDir).sort()).toEqual(['_host.mjs', '_host.mjs.map', 'native.mjs', 'native.mjs.map']);
  });

  it('builds into the state directory when the cache cannot be written (a read-only node_modules)', async () => {
    // Prepare: a cache directory that cannot be made (its parent is a file; chmod would not stop root)
    const blocker = path.join(workDir, 'not-a-directory');
    writeFileSync(blocker, '');
    const outDir = path.join(workDir, 'uncached');

    // Act
    const bundles = await bundleFunctions({ ...args, cacheDir: path.join(blocker, 'cache'), outDir });

    // Assess
    expect(bundles.handlers.native).toBe(path.join(outDir, 'native.mjs'));
    expect(readFileSync(bundles.handlers.native, 'utf8')).toContain('sharp');
    expect(existsSync(bundles.host)).toBe(true);
  });
});
