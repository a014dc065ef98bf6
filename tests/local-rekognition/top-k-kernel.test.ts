/**
 * top-k-kernel.ts: the wasm backend's TopK for a few of many, selected in a heap
 * instead of the wasm kernel's select and sort, must give the wasm kernel's
 * values (bit for bit) and indices. The reference is the wasm kernel itself,
 * the one the installed kernel wraps (wrappedWasmTopKKernel: not the registry's
 * at import, as the unit project's files share a process and another file may
 * have installed the kernel first), run in its place on the same tensor. That
 * the detector then gives the same labels is checked through the engine by
 * labels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTfjs } from '../../local/rekognition/engine/tfjs-runtime.ts';
import { installTopKKernel, wrappedWasmTopKKernel } from '../../local/rekognition/engine/top-k-kernel.ts';

let wasmKernel: tf.KernelConfig;
let installedKernel: tf.KernelConfig;
beforeAll(async () => {
  await startTfjs();
  installedKernel = tf.getKernel('TopK', 'wasm');
  const wrapped = wrappedWasmTopKKernel(tf);
  if (!wrapped) throw new Error('startTfjs did not install the TopK kernel');
  wasmKernel = wrapped;
}, 60_000);

const register = (kernel: tf.KernelConfig) => {
  tf.unregisterKernel('TopK', 'wasm');
  tf.registerKernel(kernel);
};
afterEach(() => register(installedKernel));

/** Shares of a row: infinities (+ and −, half each), values above zero (levels 0.25 to 1), ±0 (half each), −0.25. */
interface Shares {
  infinities?: number;
  positive: number;
  zeros: number;
  level: number;
}

/**
 * Heatmap-like scores: a few positive levels, then zeros (+0 and −0, equal to the sort, so told apart by index),
 * then a tied negative level, the rest in (−1, −0.5]: many ties, so the k-th value of a row is a tied level
 * (which level depends on the shares). A seed per case; the LCG stays within 2^31 (Math.imul).
 */
function heatmapScores(rows: number, length: number, seed: number, shares: Shares): Float32Array {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) & 0x7f_ff_ff_ff) / 2 ** 31;
  const infinities = shares.infinities ?? 0;
  return Float32Array.from({ length: rows * length }, () => {
    let draw = next();
    if (draw < infinities) return next() < 0.5 ? Infinity : -Infinity;
    draw -= infinities;
    if (draw < shares.positive) return (1 + Math.floor(next() * 4)) / 4;
    draw -= shares.positive;
    if (draw < shares.zeros) return next() < 0.5 ? 0 : -0;
    draw -= shares.zeros;
    return draw < shares.level ? -0.25 : -0.5 - next() / 2;
  });
}

/** The wasm kernel's answer, the installed kernel put back afterwards. */
const wasmTopK = (x: tf.Tensor, k: number, sorted = true) => {
  register({ ...wasmKernel });
  try {
    return tf.topk(x, k, sorted);
  } finally {
    register(installedKernel);
  }
};

/** What `run` returns and how many calls the installed kernel handed to the wasm kernel meanwhile. */
function countingFallbacks<T>(run: () => T): { result: T; fallbacks: number } {
  const spy = vi.spyOn(wasmKernel, 'kernelFunc');
  try {
    const result = run();
    return { result, fallbacks: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

const bitsOf = async (tensor: tf.Tensor) => Array.from(new Uint32Array((await tensor.data<'float32'>()).slice().buffer));
const positiveZero = 0x00_00_00_00;
const negativeZero = 0x80_00_00_00;

/** Both outputs of `tf.topk` (installed) equal the wasm kernel's: values bit for bit, indices. */
async function expectAsWasm(x: tf.Tensor, k: number, sorted: boolean, ours: { values: tf.Tensor; indices: tf.Tensor }) {
  const expected = wasmTopK(x, k, sorted);
  expect(ours.values.shape).toEqual(expected.values.shape);
  expect(await bitsOf(ours.values)).toEqual(await bitsOf(expected.values));
  expect(Array.from(await ours.indices.data())).toEqual(Array.from(await expected.indices.data()));
  return expected;
}

describe('Function: installTopKKernel (through startTfjs)', () => {
  it.each<[string, number, number, number, Shares]>([
    ['the k-th is ±0 (zeros cut)', 1, 200_000, 100, { positive: 0.000_2, zeros: 0.01, level: 0.3 }],
    ['the k-th is −0.25 (all zeros kept)', 2, 150_000, 100, { positive: 0.000_1, zeros: 0.000_3, level: 0.3 }],
    ['the k-th is −0.25, a few infinities', 1, 200_000, 100, { infinities: 0.000_05, positive: 0.000_1, zeros: 0.000_2, level: 0.3 }],
    ['k 1, many 1s', 3, 100_000, 1, { positive: 0.001, zeros: 0.01, level: 0.3 }],
  ])('gives the wasm kernel’s values bit for bit and its indices, itself: %s, %i row(s) of %i, k %i', async (_, rows, length, k, shares) => {
    const scores = heatmapScores(rows, length, rows + length + k, shares);
    const x = tf.tensor2d(scores, [rows, length]);

    const { result, fallbacks } = countingFallbacks(() => tf.topk(x, k));

    expect(fallbacks).toBe(0);
    const expected = await expectAsWasm(x, k, true, result);
    // The case holds what it is named for: each row's k-th value is tied past the k kept; ±0 among those kept.
    const values = await expected.values.data();
    for (let row = 0; row < rows; row++) {
      const kth = values[row * k + k - 1];
      const kept = values.slice(row * k, row * k + k).filter((value) => value === kth).length;
      expect(scores.slice(row * length, row * length + length).filter((value) => value === kth).length).toBeGreaterThan(kept);
    }
    if (k > 1) expect(await bitsOf(expected.values)).toEqual(expect.arrayContaining([positiveZero, negativeZero]));
  });

  it.each([[[10]], [[5_000, 99_999]]])('hands a row holding a NaN to the wasm kernel (NaN has no order), NaN at %j', async (positions) => {
    const scores = heatmapScores(1, 100_000, 7, { positive: 0.000_2, zeros: 0.01, level: 0.3 });
    for (const at of positions) scores[at] = Number.NaN;
    const x = tf.tensor2d(scores, [1, 100_000]);

    const { result, fallbacks } = countingFallbacks(() => tf.topk(x, 50));

    await expectAsWasm(x, 50, true, result);
    expect(fallbacks).toBe(1);
  });

  it.each([
    ['int32 values', 'int32' as const, true],
    ['`sorted` false', 'float32' as const, false],
  ])('hands %s to the wasm kernel: 200,000 values, k 100', async (_, dtype, sorted) => {
    const scores = heatmapScores(1, 200_000, 11, { positive: 0.000_2, zeros: 0.01, level: 0.3 });
    const x = dtype === 'int32' ? tf.tensor2d(Int32Array.from(scores, (value) => Math.round(value * 8)), [1, 200_000], 'int32') : tf.tensor2d(scores, [1, 200_000]);

    const { result, fallbacks } = countingFallbacks(() => tf.topk(x, 100, sorted));

    await expectAsWasm(x, 100, sorted, result);
    expect(fallbacks).toBe(1);
  });

  it('hands small rows to the wasm kernel (k a large share of the row)', async () => {
    const { result, fallbacks } = countingFallbacks(() => tf.topk(tf.tensor1d([0.5, 2, -1, 2]), 3));

    expect(fallbacks).toBe(1);
    expect(Array.from(await result.values.data())).toEqual([2, 2, 0.5]);
    expect(Array.from(await result.indices.data())).toEqual([1, 3, 0]);
  });

  it.each([
    ['its own selection', 100, false, 0],
    ['the wasm kernel, k a large share', 1_000, false, 1],
    ['the wasm kernel, a NaN in the row', 100, true, 1],
  ])('allocates the two outputs only, through %s (k %i of 200,000)', (_, k, withNaN, handedOver) => {
    const scores = heatmapScores(1, 200_000, 13, { positive: 0.000_2, zeros: 0.01, level: 0.3 });
    if (withNaN) scores[150_000] = Number.NaN;
    const x = tf.tensor2d(scores, [1, 200_000]);
    // Tensors, and the backend's buffers: an output made on the wasm heap and not returned is no tensor.
    const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };

    const { result, fallbacks } = countingFallbacks(() => tf.topk(x, k));

    expect(fallbacks).toBe(handedOver);
    expect({ tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() }).toEqual({
      tensors: before.tensors + 2,
      buffers: before.buffers + 2,
    });
    tf.dispose([x, result.values, result.indices]);
  });

  it('replaces the wasm kernel (the reference above is another kernel)', () => {
    expect(installedKernel.kernelFunc).not.toBe(wasmKernel.kernelFunc);
  });

  it('is installed once: installing again keeps the same kernel and its reference', () => {
    const installed = tf.getKernel('TopK', 'wasm').kernelFunc;

    installTopKKernel(tf);

    expect(tf.getKernel('TopK', 'wasm').kernelFunc).toBe(installed);
    expect(wrappedWasmTopKKernel(tf)).toBe(wasmKernel);
  });
});
