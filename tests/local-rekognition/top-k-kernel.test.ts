/**
 * top-k-kernel.ts: the wasm backend's TopK for a few of many, selected in a heap
 * instead of the wasm kernel's sort of the whole row, must give the wasm
 * kernel's values (bit for bit) and indices. The reference is the wasm kernel
 * itself, as registered by the wasm backend's import and kept here before
 * startTfjs replaces it, run in its place on the same tensor. That the detector
 * then gives the same labels is checked through the engine by labels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTfjs } from '../../local/rekognition/engine/tfjs-runtime.ts';
import { installTopKKernel } from '../../local/rekognition/engine/top-k-kernel.ts';

// Registered by the wasm backend's import (through tfjs-runtime.ts); startTfjs has not replaced it yet.
const wasmKernel = tf.getKernel('TopK', 'wasm');
let installedKernel: tf.KernelConfig;
beforeAll(async () => {
  await startTfjs();
  installedKernel = tf.getKernel('TopK', 'wasm');
}, 60_000);

const register = (kernel: tf.KernelConfig) => {
  tf.unregisterKernel('TopK', 'wasm');
  tf.registerKernel(kernel);
};
afterEach(() => register(installedKernel));

/**
 * Scores with many ties (a few levels, as a heatmap's zeros), both zeros (+0 and −0 are equal to the sort, so
 * told apart by index), infinities, and a seed per case.
 */
function tiedScores(rows: number, length: number, seed: number): Float32Array {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const special = [0, -0, Infinity, -Infinity];
  return Float32Array.from({ length: rows * length }, () => {
    const draw = next();
    if (draw < 0.02) return special[Math.floor(next() * special.length)];
    return draw < 0.6 ? Math.round(next() * 4) / 4 : next() * 2 - 1;
  });
}

/** The wasm kernel's answer, the installed kernel put back afterwards. */
const wasmTopK = (x: tf.Tensor2D, k: number) => {
  register(wasmKernel);
  try {
    return tf.topk(x, k);
  } finally {
    register(installedKernel);
  }
};

const bitsOf = async (tensor: tf.Tensor) => Array.from(new Uint32Array((await tensor.data<'float32'>()).slice().buffer));

describe('Function: installTopKKernel (through startTfjs)', () => {
  it.each([
    [1, 200_000, 100],
    [2, 150_000, 100],
    [3, 100_000, 1],
  ])('gives the wasm kernel’s values bit for bit and its indices, ties and zeros included: %i row(s) of %i, k %i', async (rows, length, k) => {
    const x = tf.tensor2d(tiedScores(rows, length, rows + length + k), [rows, length]);

    const { values, indices } = tf.topk(x, k);

    expect(values.shape).toEqual([rows, k]);
    const expected = wasmTopK(x, k);
    expect(await bitsOf(values)).toEqual(await bitsOf(expected.values));
    expect(Array.from(await indices.data())).toEqual(Array.from(await expected.indices.data()));
  });

  it.each([[[10]], [[5_000, 99_999]]])('hands a row holding a NaN to the wasm kernel (its sort has no order for NaN), NaN at %j', async (positions) => {
    const scores = tiedScores(1, 100_000, 7);
    for (const at of positions) scores[at] = Number.NaN;
    const x = tf.tensor2d(scores, [1, 100_000]);

    const { values, indices } = tf.topk(x, 50);

    const expected = wasmTopK(x, 50);
    expect(await bitsOf(values)).toEqual(await bitsOf(expected.values));
    expect(Array.from(await indices.data())).toEqual(Array.from(await expected.indices.data()));
  });

  it('hands other selections to the wasm kernel: int32 values, k a large share of the row', async () => {
    expect(Array.from(await tf.topk(tf.tensor1d([3, 1, 3, 2], 'int32'), 2).indices.data())).toEqual([0, 2]);
    expect(Array.from(await tf.topk(tf.tensor1d([0.5, 2, -1, 2]), 3).values.data())).toEqual([2, 2, 0.5]);
  });

  it('replaces the wasm kernel (the reference above is another kernel)', () => {
    expect(installedKernel.kernelFunc).not.toBe(wasmKernel.kernelFunc);
  });

  it('is installed once: installing again keeps the same kernel', () => {
    const installed = tf.getKernel('TopK', 'wasm').kernelFunc;

    installTopKKernel(tf);

    expect(tf.getKernel('TopK', 'wasm').kernelFunc).toBe(installed);
  });
});
