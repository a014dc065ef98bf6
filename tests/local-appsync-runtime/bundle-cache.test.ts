/**
 * The resolver bundles kept between stack starts (local/appsync/resolvers/bundle-cache.ts over
 * api/cached-bundle.js): a start with unchanged files takes the texts api/bundle.ts and the sandbox's runtime build
 * make, without bundling again; a changed input is bundled again; a file that does not bundle keeps nothing, so the
 * code loader bundles each file itself and reports it (start-refusal.test.ts). The cache's own rules (settled inputs,
 * concurrent builders, a read-only cache) are tests/api/build-cache.test.ts's.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleResolverWithInputs } from '../../api/bundle.ts';
import { BundleBuildError } from '../../api/bundle-errors.js';
import { cachedResolverBundles, keptResolverBundles } from '../../local/appsync/resolvers/bundle-cache.ts';
import { bundleRuntime } from '../../local/appsync/resolvers/sandbox.ts';
import { esbuildServices, listsChildProcesses } from '../support/esbuild-services.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'labelcast-resolver-bundles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const builds = (cacheDir: string) => readdirSync(cacheDir).filter((name) => name.startsWith('build-'));

describe('Function: cachedResolverBundles', () => {
  it('gives what api/bundle.ts and the runtime build make, and a second start the same build without bundling again', async () => {
    // Prepare: files of the repo (settled long ago, so the build is kept)
    const cacheDir = path.join(scratch, 'repo-files');
    const codes = ['resolvers/Query.image.ts', 'resolvers/pipeline/queryImagesByOwner.ts'];

    // Act
    const first = await cachedResolverBundles(codes, { cacheDir });
    const second = await cachedResolverBundles(codes, { cacheDir });

    // Assess
    for (const code of codes) expect(first?.bundles.get(code)).toEqual(bundleResolverWithInputs({ code }));
    expect(first?.runtimeSource).toBe(bundleRuntime().text);
    expect(second).toEqual(first);
    expect(builds(cacheDir)).toHaveLength(1);
  });

  it.runIf(listsChildProcesses)('leaves no esbuild service process running once it has bundled', async () => {
    // Prepare: an empty cache, so the files and the runtime are bundled
    const cacheDir = path.join(scratch, 'service');
    const codes = ['resolvers/Query.image.ts', 'resolvers/Query.labels.ts'];

    // Act
    const bundles = await cachedResolverBundles(codes, { cacheDir });

    // Assess: esbuild is stopped as the build ends, which ends every service of this process's esbuild (those the
    // tests before ran with buildSync too); a killed one is waited for, as it may take a moment to be reaped.
    expect(bundles?.bundles.size).toBe(2);
    for (let look = 0; look < 50 && esbuildServices(process.pid).length > 0; look += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(esbuildServices(process.pid)).toEqual([]);
  });

  it('bundles a file again once a file it imports changed', { timeout: 20_000 }, async () => {
    // Prepare: a resolver importing a helper, both settled (unchanged for 2 s, as the cache wants before it keeps a build)
    const cacheDir = path.join(scratch, 'changed');
    const dir = mkdtempSync(path.join(scratch, 'changed-files-'));
    const code = path.join(dir, 'Query.thing.ts');
    writeFileSync(code, "import { answer } from './answer.ts';\nexport function request() { return {}; }\nexport function response() { return answer; }\n");
    writeFileSync(path.join(dir, 'answer.ts'), 'export const answer = 41;\n');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const before = await cachedResolverBundles([code], { cacheDir });

    // Act
    writeFileSync(path.join(dir, 'answer.ts'), 'export const answer = 42;\n');
    const after = await cachedResolverBundles([code], { cacheDir });

    // Assess
    expect(before?.bundles.get(code)?.text).toContain('41');
    expect(after?.bundles.get(code)?.text).toContain('42');
    expect(after?.bundles.get(code)).toEqual(bundleResolverWithInputs({ code }));
  });

  it('answers undefined and keeps nothing when a file does not bundle, the cause being esbuild naming the import', async () => {
    // Prepare
    const cacheDir = path.join(scratch, 'broken');
    const dir = mkdtempSync(path.join(scratch, 'broken-files-'));
    const broken = path.join(dir, 'Query.broken.ts');
    writeFileSync(broken, "import { missing } from './nowhere.ts';\nexport function request() { return missing; }\n");
    const codes = ['resolvers/Query.image.ts', broken];

    // Act
    const result = await cachedResolverBundles(codes, { cacheDir });
    const failure: unknown = await keptResolverBundles(codes, { cacheDir }).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(result).toBeUndefined();
    expect(failure).toBeInstanceOf(BundleBuildError);
    const esbuildErrors = ((failure as Error).cause as { errors?: { text: string }[] }).errors;
    expect(esbuildErrors?.map((problem) => problem.text)).toEqual(['Could not resolve "./nowhere.ts"']);
    expect(existsSync(path.join(cacheDir, 'record.json'))).toBe(false);
  });

  it('throws an error that is neither a build\'s nor the cache\'s, rather than answering undefined', async () => {
    // Prepare: a caller's mistake, a code file that is not a string (no key can be made of it)
    const cacheDir = path.join(scratch, 'mistake');

    // Act
    const result = cachedResolverBundles([1n as unknown as string], { cacheDir });

    // Assess
    await expect(result).rejects.toThrow(TypeError);
  });
});
