/**
 * The bundle cache's rules (api/cached-bundle.js): a build is kept while its key (settings, tool versions) and
 * every input are as recorded, and made again otherwise (inputs: the files esbuild bundled and those it looked up,
 * api/esbuild-looked-up.js); a build whose input changed while it ran is not kept; builders at once never pair one
 * build's files with another's; a builder keeps its lock touched and removes only its own; old builds and the old
 * layout's files go once unused; and without a writable
 * cache the build fails as a BundleCacheError or is made where the caller says. cachedBuild is driven with small
 * builds of files (what esbuild would write), cachedBundles with esbuild itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleBuildError, BundleCacheError } from '../../api/bundle-errors.js';
import { cachedBuild, cachedBundles, type Build } from '../../api/cached-bundle.js';
import { programOutput } from '../support/program-output.ts';
import { backdate, diedPid } from '../support/lock-holders.ts';

const root = mkdtempSync(path.join(tmpdir(), 'labelcast-build-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An input of the builds below, by name: `<root>/inputs/<name>.txt`. */
const inputOf = (name: string) => path.join(root, 'inputs', `${name}.txt`);
const inputNames = ['kept', 'edited', 'keys', 'raced', 'builders', 'old', 'nocache', 'bundles'] as const;

beforeAll(async () => {
  mkdirSync(path.join(root, 'inputs'));
  for (const name of inputNames) writeFileSync(inputOf(name), `${name} v1\n`);
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(path.join(root, 'src', 'greeting.ts'), "export const greeting: string = 'hello';\n");
  writeFileSync(path.join(root, 'src', 'main.ts'), "import { greeting } from './greeting.ts';\nconsole.log(greeting);\n");
  for (const [name, { files }] of Object.entries(lookedUpCases)) {
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, 'projects', name, file)), { recursive: true });
      writeFileSync(path.join(root, 'projects', name, file), content);
    }
  }
  // Inputs are settled once unchanged for 2 s (their change time, which cannot be set back): then builds are kept.
  await new Promise((resolve) => setTimeout(resolve, 2100));
});

/** A program whose output tells whether a class field is defined (esbuild's default) or assigned (a setter runs). */
const classFields = 'class Base {\n  set value(_: number) {\n    console.log("assigned");\n  }\n}\nclass Derived extends Base {\n  value = 1;\n}\nnew Derived();\nconsole.log("done");\n';
const defineFields = (define: boolean) => JSON.stringify({ compilerOptions: { useDefineForClassFields: define } });

/**
 * Projects whose bundle changes with a file esbuild looks up but does not bundle (each its own repoRoot, with
 * src/main.ts): their files, the change, and the program's output before and after it.
 */
const lookedUpCases: { [name: string]: { files: { [file: string]: string }; change: { [file: string]: string }; before: string; after: string } } = {
  'a tsconfig.json option': {
    files: { 'package.json': '{ "type": "module" }', 'tsconfig.json': defineFields(true), 'src/main.ts': classFields },
    change: { 'tsconfig.json': defineFields(false) },
    before: 'done',
    after: 'assigned\ndone',
  },
  'a tsconfig.json it extends': {
    files: { 'package.json': '{ "type": "module" }', 'tsconfig.json': '{\n  // comments, as tsc allows\n  "extends": "./tsconfig.base.json",\n}\n', 'tsconfig.base.json': defineFields(true), 'src/main.ts': classFields },
    change: { 'tsconfig.base.json': defineFields(false) },
    before: 'done',
    after: 'assigned\ndone',
  },
  "a package's package.json": {
    files: {
      'package.json': '{ "type": "module" }',
      'node_modules/dep/package.json': '{ "name": "dep", "main": "a.js" }',
      'node_modules/dep/a.js': "module.exports = 'a';\n",
      'node_modules/dep/b.js': "module.exports = 'b';\n",
      'src/main.ts': "import dep from 'dep';\nconsole.log(dep);\n",
    },
    change: { 'node_modules/dep/package.json': '{ "name": "dep", "main": "b.js" }' },
    before: 'a',
    after: 'b',
  },
  'a new file an import now resolves to (x.ts beside x/index.ts)': {
    files: { 'package.json': '{ "type": "module" }', 'src/x/index.ts': "export const where = 'x/index.ts';\n", 'src/main.ts': "import { where } from './x';\nconsole.log(where);\n" },
    change: { 'src/x.ts': "export const where = 'x.ts';\n" },
    before: 'x/index.ts',
    after: 'x.ts',
  },
};

/** A build that copies its input into `out.txt` and counts its runs. */
function copyingBuild(input: string): Build & { runs: number } {
  const build = Object.assign(
    async (outDir: string) => {
      build.runs += 1;
      writeFileSync(path.join(outDir, 'out.txt'), readFileSync(input));
      return { inputs: [input] };
    },
    { runs: 0 },
  );
  return build;
}

const outOf = (directory: string) => readFileSync(path.join(directory, 'out.txt'), 'utf8');


describe('Function: cachedBuild', () => {
  it('keeps a build while its key and every input are as recorded', async () => {
    // Prepare
    const cacheDir = path.join(root, 'cache-kept');
    const build = copyingBuild(inputOf('kept'));

    // Act
    const first = await cachedBuild({ cacheDir, key: 'k', build });
    const second = await cachedBuild({ cacheDir, key: 'k', build });

    // Assess
    expect(first.fromCache).toBe(false);
    expect(second).toEqual({ directory: first.directory, fromCache: true });
    expect(build.runs).toBe(1);
    expect(outOf(second.directory)).toBe('kept v1\n');
  });

  it('builds again when an input changed since', async () => {
    // Prepare
    const cacheDir = path.join(root, 'cache-edited');
    const build = copyingBuild(inputOf('edited'));
    const first = await cachedBuild({ cacheDir, key: 'k', build });

    // Act
    writeFileSync(inputOf('edited'), 'edited v2\n');
    const second = await cachedBuild({ cacheDir, key: 'k', build });

    // Assess
    expect(second.fromCache).toBe(false);
    expect(second.directory).not.toBe(first.directory);
    expect(outOf(second.directory)).toBe('edited v2\n');
  });

  it('builds again for another key (other settings, esbuild, node or builder)', async () => {
    // Prepare
    const cacheDir = path.join(root, 'cache-keys');
    const build = copyingBuild(inputOf('keys'));
    await cachedBuild({ cacheDir, key: 'settings-1', build });

    // Act
    const other = await cachedBuild({ cacheDir, key: 'settings-2', build });
    const again = await cachedBuild({ cacheDir, key: 'settings-2', build });

    // Assess
    expect(other.fromCache).toBe(false);
    expect(again.fromCache).toBe(true);
    expect(build.runs).toBe(2);
  });

  it('does not keep a build whose input changed while it ran, even with its modification time set back', async () => {
    // Prepare: a build that reads v1, during which the input becomes v2 with v1's size and modification time
    // (as `cp -p` or `touch -d` leave it)
    const cacheDir = path.join(root, 'cache-raced');
    const input = inputOf('raced');
    const { mtime } = statSync(input);
    const racedBuild: Build = async (outDir) => {
      writeFileSync(path.join(outDir, 'out.txt'), readFileSync(input));
      writeFileSync(input, 'raced v2\n');
      utimesSync(input, mtime, mtime);
      return { inputs: [input] };
    };

    // Act
    const raced = await cachedBuild({ cacheDir, key: 'k', build: racedBuild });
    const next = await cachedBuild({ cacheDir, key: 'k', build: copyingBuild(input) });

    // Assess: the raced build served its own start, the next start built v2 rather than trusting it
    expect(outOf(raced.directory)).toBe('raced v1\n');
    expect(next.fromCache).toBe(false);
    expect(outOf(next.directory)).toBe('raced v2\n');
  });

  /** A builder in a process of its own (its build waits for `gate` to exist, unless `-`), answering its CachedBuild. */
  function builderProcess(cacheDir: string, key: string, tag: string, gate: string): Promise<{ directory: string; fromCache: boolean }> {
    const api = pathToFileURL(path.resolve(import.meta.dirname, '../../api/cached-bundle.js')).href;
    const script = `
      const { existsSync, writeFileSync } = await import('node:fs');
      const path = await import('node:path');
      const { cachedBuild } = await import(${JSON.stringify(api)});
      const [cacheDir, key, tag, gate, input] = process.argv.slice(1);
      const result = await cachedBuild({ cacheDir, key, build: async (outDir) => {
        writeFileSync(path.join(outDir, 'main.mjs'), tag);
        if (gate !== '-') {
          writeFileSync(gate + '.waiting', '');
          while (!existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        writeFileSync(path.join(outDir, 'main.mjs.map'), tag);
        return { inputs: [input] };
      } });
      console.log(JSON.stringify(result));`;
    const args = ['--input-type=module', '-e', script, cacheDir, key, tag, gate, inputOf('builders')];
    return promisify(execFile)(process.execPath, args).then(({ stdout }) => JSON.parse(stdout) as { directory: string; fromCache: boolean });
  }
  const waitFor = async (file: string) => {
    while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const pairIn = (directory: string) => ['main.mjs', 'main.mjs.map'].map((name) => readFileSync(path.join(directory, name), 'utf8'));

  it('never pairs one build’s files with another’s when builders in two processes run at once', async () => {
    // Prepare: builder A writes its bundle, then waits (gate) while builder B builds and records in full; then A
    // writes its map and records. Each tags its files with its name. (Two keys: builders of one key wait, below.)
    const cacheDir = path.join(root, 'cache-builders');
    const gate = path.join(root, 'gate-pairs');

    // Act
    const builderA = builderProcess(cacheDir, 'key-A', 'A', gate);
    await waitFor(`${gate}.waiting`);
    const b = await builderProcess(cacheDir, 'key-B', 'B', '-');
    writeFileSync(gate, '');
    const a = await builderA;
    const reader = await cachedBuild({ cacheDir, key: 'key-A', build: () => Promise.reject(new Error('should have been kept')) });

    // Assess: each builder got its own whole build, and the record names one whole build
    expect(pairIn(a.directory)).toEqual(['A', 'A']);
    expect(pairIn(b.directory)).toEqual(['B', 'B']);
    expect(reader).toEqual({ directory: a.directory, fromCache: true });
    expect(pairIn(reader.directory)).toEqual(['A', 'A']);
  });

  it('waits for another process building the same key and takes its build, instead of building too', async () => {
    // Prepare: builder A holds the build (gate) while this process asks for the same key
    const cacheDir = path.join(root, 'cache-waits');
    const gate = path.join(root, 'gate-waits');
    const builderA = builderProcess(cacheDir, 'k', 'A', gate);
    await waitFor(`${gate}.waiting`);
    const build = copyingBuild(inputOf('builders'));

    // Act
    const waiting = cachedBuild({ cacheDir, key: 'k', build });
    writeFileSync(gate, '');
    const [a, here] = await Promise.all([builderA, waiting]);

    // Assess
    expect(build.runs).toBe(0);
    expect(here).toEqual({ directory: a.directory, fromCache: true });
  });

  it.each([
    ['that died', diedPid, 0],
    ['that still runs after 2 minutes', () => Promise.resolve(process.pid), 3],
  ])('builds when the lock was left by a builder %s', async (_holder, holderPid, minutesAgo) => {
    // Prepare
    const cacheDir = path.join(root, `cache-lock-${minutesAgo}`);
    const lock = path.join(cacheDir, 'lock-k');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(lock, String(await holderPid()));
    backdate(lock, minutesAgo);
    const build = copyingBuild(inputOf('builders'));

    // Act
    const built = await cachedBuild({ cacheDir, key: 'k', build });

    // Assess
    expect(build.runs).toBe(1);
    expect(outOf(built.directory)).toBe('builders v1\n');
    expect(existsSync(lock)).toBe(false);
  });

  it('touches its lock while it builds, and leaves a lock another builder took over', async () => {
    // Prepare: a build that finds its lock untouched for 3 minutes (as others would judge it after a long build),
    // waits for it to be touched, then finds it taken over by another builder
    const cacheDir = path.join(root, 'cache-lock-held');
    const lock = path.join(cacheDir, 'lock-k');
    let touched = false;
    const build: Build = async (outDir) => {
      backdate(lock, 3);
      for (let polls = 0; polls < 200 && !touched; polls += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        touched = Date.now() - statSync(lock).mtimeMs < 60_000;
      }
      writeFileSync(lock, '1:another-builder');
      writeFileSync(path.join(outDir, 'out.txt'), '');
      return { inputs: [inputOf('builders')] };
    };

    // Act
    await cachedBuild({ cacheDir, key: 'k', build });

    // Assess
    expect(touched).toBe(true);
    expect(readFileSync(lock, 'utf8')).toBe('1:another-builder');
  }, 20_000);

  it('removes builds nobody used for 10 minutes, but not one used since, nor one just made', async () => {
    // Prepare: three builds, for three keys in turn (the record names one at a time)
    const cacheDir = path.join(root, 'cache-old');
    const build = copyingBuild(inputOf('old'));
    const unused = await cachedBuild({ cacheDir, key: 'k1', build });
    const used = await cachedBuild({ cacheDir, key: 'k2', build });
    backdate(unused.directory, 11);
    backdate(used.directory, 11);
    // k2 is still the recorded key: this use touches its build
    expect(await cachedBuild({ cacheDir, key: 'k2', build })).toEqual({ directory: used.directory, fromCache: true });

    // Act: another build makes room
    const made = await cachedBuild({ cacheDir, key: 'k3', build });

    // Assess
    expect(existsSync(unused.directory)).toBe(false);
    expect(existsSync(used.directory)).toBe(true);
    expect(existsSync(made.directory)).toBe(true);
    expect(readdirSync(cacheDir).filter((name) => !name.startsWith('build-'))).toEqual(['record.json']);
  });

  it('removes what the old layout left once untouched for 10 minutes, but no lock', async () => {
    // Prepare: a bundle, its map, inputs.json and builds under way, in the cache directory and beside it; and a
    // lock of another key whose holder runs (this process), untouched for longer than any build
    const cacheDir = path.join(root, 'cache-old-layout');
    const oldLayout = ['main.mjs', 'main.mjs.map', 'inputs.json', 'build.1.tmp'].map((name) => path.join(cacheDir, name));
    const besideBuild = `${cacheDir}.build.1.uuid.tmp`;
    const lock = path.join(cacheDir, 'lock-other');
    mkdirSync(path.join(cacheDir, 'build.1.tmp'), { recursive: true });
    mkdirSync(besideBuild);
    for (const file of oldLayout.slice(0, 3)) writeFileSync(file, '');
    writeFileSync(lock, `${process.pid}:token`);
    for (const file of [...oldLayout, besideBuild, lock]) backdate(file, 11);

    // Act
    await cachedBuild({ cacheDir, key: 'k', build: copyingBuild(inputOf('old')) });

    // Assess
    expect([...oldLayout, besideBuild].filter((file) => existsSync(file))).toEqual([]);
    expect(existsSync(lock)).toBe(true);
  });

  it('fails with a BundleCacheError when the cache cannot be written, or builds where the caller says', async () => {
    // Prepare: a cache directory that cannot be made (its parent is a file; chmod would not stop root)
    const blocker = path.join(root, 'not-a-directory');
    writeFileSync(blocker, '');
    const cacheDir = path.join(blocker, 'cache');
    const build = copyingBuild(inputOf('nocache'));
    const uncachedDir = path.join(root, 'uncached');

    // Act and assess
    await expect(cachedBuild({ cacheDir, key: 'k', build })).rejects.toBeInstanceOf(BundleCacheError);
    expect(await cachedBuild({ cacheDir, key: 'k', build, uncachedDir })).toEqual({ directory: uncachedDir, fromCache: false });
    expect(outOf(uncachedDir)).toBe('nocache v1\n');
  });
});

describe('Function: cachedBundles', () => {
  const settings = { repoRoot: root, entries: { main: 'src/main.ts' } } as const;

  it('builds in a child process, keeps the bundles, and builds again when a setting changes', async () => {
    // Prepare
    const cacheDir = path.join(root, 'cache-bundles');

    // Act
    const built = await cachedBundles({ ...settings, cacheDir, buildIn: 'child-process' });
    const kept = await cachedBundles({ ...settings, cacheDir, buildIn: 'child-process' });
    // Built in this process: where it builds is no part of the key, and the child's build is the one above.
    const minified = await cachedBundles({ ...settings, cacheDir, minify: true });

    // Assess
    expect(await programOutput(built.files.main)).toBe('hello');
    expect(kept).toEqual({ ...built, fromCache: true });
    expect(minified.fromCache).toBe(false);
    expect(await programOutput(minified.files.main)).toBe('hello');
  });

  it.each(Object.keys(lookedUpCases))('builds again after a change to %s', async (name) => {
    // Prepare: built and kept (its files settled before the tests)
    const { change, before, after } = lookedUpCases[name];
    const repoRoot = path.join(root, 'projects', name);
    const cacheDir = path.join(repoRoot, 'cache');
    const built = await cachedBundles({ repoRoot, entries: { main: 'src/main.ts' }, cacheDir });
    expect(await programOutput(built.files.main)).toBe(before);
    expect((await cachedBundles({ repoRoot, entries: { main: 'src/main.ts' }, cacheDir })).fromCache).toBe(true);

    // Act
    for (const [file, content] of Object.entries(change)) writeFileSync(path.join(repoRoot, file), content);
    const rebuilt = await cachedBundles({ repoRoot, entries: { main: 'src/main.ts' }, cacheDir });

    // Assess
    expect(rebuilt.fromCache).toBe(false);
    expect(await programOutput(rebuilt.files.main)).toBe(after);
  });

  it("rejects with a BundleBuildError that names esbuild's complaint and the file", async () => {
    writeFileSync(path.join(root, 'src', 'broken.ts'), 'export const = ;\n');
    const cacheDir = path.join(root, 'cache-broken');
    for (const buildIn of ['this-process', 'child-process'] as const) {
      const failure = cachedBundles({ repoRoot: root, entries: { broken: 'src/broken.ts' }, cacheDir, buildIn });
      await expect(failure).rejects.toBeInstanceOf(BundleBuildError);
      await expect(failure).rejects.toThrow(/src\/broken\.ts:1/);
    }
  });
});
