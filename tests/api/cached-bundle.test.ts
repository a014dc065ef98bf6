/**
 * The programs' bundle cache as the stack's launcher uses it (api/cached-bundle.js, local/start.js): packages
 * left to node_modules, each of our files with its own import.meta.url, and the sources run under tsx when no
 * bundle can be written (a read-only node_modules). The cache's own rules (keys, inputs, builders at once, old
 * builds, no cache) are in tests/api/build-cache.test.ts; the CLI's use of it in tests/client/cli-bundle.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freshBundle } from '../../api/cached-bundle.js';

const root = mkdtempSync(path.join(tmpdir(), 'labelcast-cached-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `file`, making its directory. */
function write(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

// A program of two TypeScript files (an ES module package, like this repo): one says where it lies, by import.meta.url.
write(path.join(root, 'package.json'), '{ "type": "module" }\n');
write(
  path.join(root, 'src', 'where.ts'),
  "export const here: string = new URL('.', import.meta.url).href;\nexport const text: string = 'import.meta.url';\n",
);
write(path.join(root, 'src', 'main.ts'), "import { here, text } from './where.ts';\nconsole.log(JSON.stringify({ here, text }));\n");

const srcUrl = pathToFileURL(path.join(root, 'src')).href + '/';
const programOutput = JSON.stringify({ here: srcUrl, text: 'import.meta.url' });
const stackLike = { repoRoot: root, entry: 'src/main.ts', bundleName: 'main.mjs', externalPackages: true, ownImportMetaUrl: true } as const;

/** Runs runBundled in a node of its own (tsx's hooks stay there), printing what the program printed and what ran. */
function runBundledIn(cacheDir: string): string {
  const api = pathToFileURL(path.resolve(import.meta.dirname, '../../api/cached-bundle.js')).href;
  const script = `const { runBundled } = await import(${JSON.stringify(api)}); console.log(await runBundled(${JSON.stringify({ ...stackLike, cacheDir })}));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
}

describe('cached program bundles', () => {
  it("keeps each file's own import.meta.url (not the bundle's), and leaves strings and packages alone", async () => {
    const cacheDir = path.join(root, 'cache-urls');

    // Act
    const bundle = await freshBundle({ ...stackLike, cacheDir });

    // Assess: in a build directory of the cache
    expect(path.basename(bundle!)).toBe('main.mjs');
    expect(path.dirname(path.dirname(bundle!))).toBe(cacheDir);
    expect(execFileSync(process.execPath, [bundle!], { encoding: 'utf8' }).trim()).toBe(programOutput);
    expect(readFileSync(bundle!, 'utf8')).not.toContain('import.meta.url;');
  });

  it('leaves packages to node_modules when asked', async () => {
    write(path.join(root, 'src', 'uses-package.ts'), "import { build } from 'esbuild';\nconsole.log(typeof build);\n");
    const bundle = await freshBundle({ ...stackLike, entry: 'src/uses-package.ts', cacheDir: path.join(root, 'cache-packages') });
    expect(readFileSync(bundle!, 'utf8')).toMatch(/from "esbuild"/);
  });

  it('maps a stack trace from the bundle back to the source file it came from', async () => {
    // Prepare: a program that throws, bundled with its source map
    write(path.join(root, 'src', 'throws.ts'), "export function boom(): never {\n  throw new Error('boom');\n}\n");
    write(path.join(root, 'src', 'fails.ts'), "import { boom } from './throws.ts';\nboom();\n");
    const bundle = await freshBundle({ ...stackLike, entry: 'src/fails.ts', cacheDir: path.join(root, 'cache-map'), sourceMap: true });

    // Act
    const run = spawnSync(process.execPath, ['--enable-source-maps', bundle!], { encoding: 'utf8' });

    // Assess: the frame names src/throws.ts where it is, line 2
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${path.join(root, 'src', 'throws.ts')}:2:`);
  });

  it('runs the bundle when it can be kept', () => {
    expect(runBundledIn(path.join(root, 'cache-run')).split('\n')).toEqual([programOutput, 'bundle']);
  });

  it('runs the sources under tsx when no bundle can be written (a read-only node_modules)', async () => {
    // Prepare: a cache directory that cannot be made (its parent is a file; chmod would not stop root)
    const blocker = path.join(root, 'not-a-directory');
    writeFileSync(blocker, '');
    const cacheDir = path.join(blocker, 'cache');
    expect(await freshBundle({ ...stackLike, cacheDir })).toBeUndefined();

    // Act and assess: the same program output, from the sources
    expect(runBundledIn(cacheDir).split('\n')).toEqual([programOutput, 'sources']);
  });
});
