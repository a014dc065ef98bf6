/**
 * The engine worker's bundle cache (local/rekognition/engine/worker-bundle.ts):
 * kept while every input is as recorded, rebuilt when one is not, and what it
 * leaves in node_modules. The engine itself runs from it in server.test.ts.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineWorkerBundle } from '../../local/rekognition/engine/worker-bundle.ts';

const engineDirectory = fileURLToPath(new URL('../../local/rekognition/engine/', import.meta.url));
const workerSource = path.join(engineDirectory, 'engine-worker.ts');

interface Record {
  entry: string;
  inputs: { [file: string]: string };
}

const recordOf = (bundle: string) => path.join(path.dirname(bundle), 'inputs.json');
const readRecord = (bundle: string) => JSON.parse(readFileSync(recordOf(bundle), 'utf8')) as Record;

describe('engine worker bundle', () => {
  it('records every source the worker imports, and the build options, but not TensorFlow.js', async () => {
    const bundle = await engineWorkerBundle();
    const inputs = Object.keys(readRecord(bundle).inputs);
    for (const source of ['engine-worker.ts', 'object-detector.ts', 'moderation-classifier.ts', 'tfjs-runtime.ts', 'worker-bundle.ts', '../faces/face-analyzer.ts']) {
      expect(inputs).toContain(path.resolve(engineDirectory, source));
    }
    expect(inputs.filter((input) => input.includes('@tensorflow'))).toEqual([]);
    // Required from node_modules at run time, not inlined.
    expect(readFileSync(bundle, 'utf8')).toContain('require("@tensorflow/tfjs")');
  });

  it('is reused while its inputs are unchanged', async () => {
    const bundle = await engineWorkerBundle();
    const builtAt = statSync(bundle).mtimeMs;
    expect(await engineWorkerBundle()).toBe(bundle);
    expect(statSync(bundle).mtimeMs).toBe(builtAt);
  });

  it('is rebuilt when an input differs from what it was built from', async () => {
    const bundle = await engineWorkerBundle();
    const record = readRecord(bundle);
    const actual = record.inputs[workerSource];
    expect(actual).toMatch(/^\d+:/);
    // As if engine-worker.ts had been edited since the build.
    writeFileSync(recordOf(bundle), JSON.stringify({ ...record, inputs: { ...record.inputs, [workerSource]: '1:1' } }));
    const builtAt = statSync(bundle).mtimeMs;
    expect(await engineWorkerBundle()).toBe(bundle);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(builtAt);
    expect(readRecord(bundle).inputs[workerSource]).toBe(actual);
  });
});
