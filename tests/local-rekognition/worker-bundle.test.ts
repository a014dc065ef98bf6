/**
 * The engine worker's bundle (local/rekognition/engine/worker-bundle.ts, in
 * the bundle cache of api/cached-bundle.js): kept while every input is as
 * recorded, rebuilt when one is not, what it leaves in node_modules, its
 * source map; and the start from the sources under tsx when no bundle can be
 * kept (worker-start.ts). The engine itself runs from the bundle in
 * server.test.ts; the cache's own rules are in tests/api/build-cache.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerBundleError } from '../../local/rekognition/errors.ts';
import { engineWorkerBundle } from '../../local/rekognition/engine/worker-bundle.ts';
import { engineWorkerStart, tsxWorkerScript } from '../../local/rekognition/engine/worker-start.ts';

const engineDirectory = fileURLToPath(new URL('../../local/rekognition/engine/', import.meta.url));
const workerSource = path.join(engineDirectory, 'engine-worker.ts');

interface Record {
  build: string;
  inputs: { [file: string]: string };
}

/** The cache's record: it lies beside the build directories (api/cached-bundle.js). */
const recordOf = (bundle: string) => path.join(path.dirname(path.dirname(bundle)), 'record.json');
const readRecord = (bundle: string) => JSON.parse(readFileSync(recordOf(bundle), 'utf8')) as Record;

describe('engine worker bundle', () => {
  // A cache of its own: the test below rewrites the record, which the checkout's stacks read meanwhile.
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'labelcast-worker-bundle-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('records every source the worker imports, but not TensorFlow.js, and has a source map', async () => {
    const bundle = await engineWorkerBundle(cacheDir);
    const inputs = Object.keys(readRecord(bundle).inputs);
    for (const source of ['engine-worker.ts', 'object-detector.ts', 'moderation-classifier.ts', 'tfjs-runtime.ts', '../faces/face-analyzer.ts']) {
      expect(inputs).toContain(path.resolve(engineDirectory, source));
    }
    expect(inputs.filter((input) => input.includes('@tensorflow'))).toEqual([]);
    // Required from node_modules at run time, not inlined.
    expect(readFileSync(bundle, 'utf8')).toContain('require("@tensorflow/tfjs")');
    // Its map names the sources where they lie (the require() stand-ins are no files).
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sourceRoot: string; sources: string[] };
    const files = map.sources.filter((source) => !source.startsWith('require-at-run-time:'));
    const sources = files.map((source) => fileURLToPath(new URL(source, map.sourceRoot)));
    expect(sources).toContain(workerSource);
  });

  it('is reused while its inputs are unchanged', async () => {
    const bundle = await engineWorkerBundle(cacheDir);
    const builtAt = statSync(bundle).mtimeMs;
    expect(await engineWorkerBundle(cacheDir)).toBe(bundle);
    expect(statSync(bundle).mtimeMs).toBe(builtAt);
  });

  it('is rebuilt when an input differs from what it was built from', async () => {
    const bundle = await engineWorkerBundle(cacheDir);
    const record = readRecord(bundle);
    const actual = record.inputs[workerSource];
    expect(actual).toMatch(/^\d+:/);
    // As if engine-worker.ts had been edited since the build.
    writeFileSync(recordOf(bundle), JSON.stringify({ ...record, inputs: { ...record.inputs, [workerSource]: '1:1:1' } }));
    const rebuilt = await engineWorkerBundle(cacheDir);
    expect(rebuilt).not.toBe(bundle);
    expect(path.basename(rebuilt)).toBe('engine-worker.mjs');
    expect(readRecord(rebuilt).inputs[workerSource]).toBe(actual);
  });
});

describe('engine worker start', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'labelcast-worker-start-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs the bundle when the cache holds one', async () => {
    const start = await engineWorkerStart();
    expect(start).toMatchObject({ from: 'bundle', filename: await engineWorkerBundle() });
    expect(start.options.eval).toBeFalsy();
  });

  it('runs the sources under tsx when the cache cannot be written (a read-only node_modules)', async () => {
    // Prepare: a cache directory that cannot be made (its parent is a file; chmod would not stop root)
    const blocker = path.join(scratch, 'not-a-directory');
    writeFileSync(blocker, '');
    const unwritable = path.join(blocker, 'vision-engine');
    await expect(engineWorkerBundle(unwritable)).rejects.toBeInstanceOf(WorkerBundleError);

    // Act
    const start = await engineWorkerStart(() => engineWorkerBundle(unwritable));

    // Assess: the tsx script of engine-worker.ts, evaluated as the worker's code
    expect(start.from).toBe('sources');
    expect(start.options.eval).toBe(true);
    expect(start.filename).toContain(JSON.stringify(pathToFileURL(path.join(engineDirectory, 'engine-worker.ts')).href));
  });

  it('the sources start runs a TypeScript worker module', async () => {
    // Prepare: a module only tsx can load (a type annotation), which answers its parent (.mts: ESM outside the repo)
    const module = path.join(scratch, 'answer.mts');
    writeFileSync(module, "import { parentPort } from 'node:worker_threads';\nconst answer: string = 'from TypeScript';\nparentPort?.postMessage(answer);\n");

    // Act
    const worker = new Worker(tsxWorkerScript(pathToFileURL(module).href), { eval: true });
    const message = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();

    // Assess
    expect(message).toBe('from TypeScript');
  });
});
