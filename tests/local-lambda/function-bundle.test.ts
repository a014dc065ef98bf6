/**
 * The functions' bundles between stack starts (local/lambda/function-bundle.ts over api/cached-bundle.js): a
 * second start with unchanged sources takes them from the cache, as files of its own state directory whose source
 * maps still name the sources; without a writable cache they are built there directly. Their maps hold our own
 * sources only, and a handler's error still names them in the trace the local runtime logs. That they run is in
 * function-process.test.ts.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunctions } from '../../local/lambda/function-bundle.ts';
import { FunctionProcess } from '../../local/lambda/function-process.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-function-bundle-'));
const opened: FunctionProcess[] = [];
afterAll(async () => {
  await Promise.all(opened.map((process_) => process_.close()));
  rmSync(workDir, { recursive: true, force: true });
});

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

  it("keeps only our sources in a bundle's map, and a handler's error names them around a dependency's frame, which names the bundle", async () => {
    // Prepare: a handler whose visitor throws inside graphql's visit (bundled from node_modules), after code of ours
    const dependencyEntry = fileURLToPath(new URL('./fixtures/dependency-handler.ts', import.meta.url));
    const outDir = path.join(workDir, 'dependency');
    const bundles = await bundleFunctions({ entries: { dependency: dependencyEntry }, outDir, cacheDir: path.join(workDir, 'cache-dependency') });
    const logFile = path.join(workDir, 'dependency.log');
    const function_ = new FunctionProcess({
      name: 'dependency',
      code: () => Promise.resolve({ host: bundles.host, handler: bundles.handlers.dependency! }),
      // As every function is configured (api/function-environment.ts): its NODE_OPTIONS ask for source maps.
      environment: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--enable-source-maps' },
      timeoutMs: 60_000,
      logFile,
    });
    opened.push(function_);

    // Act
    const failure = await function_.invoke({}).then(() => undefined, (error: unknown) => error);

    // Assess: the map names the fixtures, and no file of node_modules
    const map = JSON.parse(readFileSync(`${bundles.handlers.dependency}.map`, 'utf8')) as { sourceRoot: string; sources: string[] };
    const sources = map.sources.map((source) => fileURLToPath(new URL(source, map.sourceRoot)));
    expect(sources).toContain(dependencyEntry);
    expect(sources.filter((source) => source.split(path.sep).includes('node_modules'))).toEqual([]);
    // the trace (as reported, and as the log holds it): our frames name our .ts files; graphql's frame, between them,
    // names the bundle, not the code of ours bundled before it
    expect(failure).toMatchObject({ errorType: 'VisitRefused', message: 'this visit is refused' });
    const frames = (failure as { trace: readonly string[] }).trace.filter((line) => line.trim().startsWith('at '));
    const where = frames.map((frame) => (/refusing-visitor\.ts:\d+:\d+\)?$/.test(frame) ? 'visitor' : /dependency-handler\.ts:\d+:\d+\)?$/.test(frame) ? 'handler' : /dependency\.mjs:\d+:\d+\)?$/.test(frame) ? 'bundle' : 'other'));
    expect(where.slice(0, 3)).toEqual(['visitor', 'bundle', 'handler']);
    expect(readFileSync(logFile, 'utf8')).toMatch(/refusing-visitor\.ts:\d+:\d+/);
  });
});
