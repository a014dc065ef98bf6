/**
 * spatial-mean-kernel.ts: the wasm backend's Mean over height and width, computed
 * without the wasm kernel's transpose, must give the wasm kernel's floats bit for
 * bit. The reference is the wasm kernel itself on the same values laid out with
 * the reduced axes last (NCHW), where it sums each channel without transposing:
 * the very sums it makes for an NHWC tensor after its transpose. That the
 * detector and the face models then give the same labels is checked through the
 * engine by labels.test.ts and people.test.ts.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTfjs } from '../../local/rekognition/engine/tfjs-runtime.ts';
import { installSpatialMeanKernel } from '../../local/rekognition/engine/spatial-mean-kernel.ts';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await startTfjs();
}, 60_000);

/** Values whose float32 sums depend on the order and the rounding of every step: wide range, both signs, a seed per shape. */
function spreadValues(shape: number[], seed: number): tfTypes.Tensor4D {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const values = Float32Array.from({ length: shape.reduce((size, side) => size * side, 1) }, () => (next() - 0.4) * 10 ** Math.floor(next() * 8 - 3));
  return tf.tensor4d(values, shape as [number, number, number, number]);
}

/** The wasm kernel's mean over height and width, through its own path: NCHW, the reduced axes already last. */
const wasmSpatialMean = (x: tfTypes.Tensor4D) => tf.mean(tf.transpose(x, [0, 3, 1, 2]), [2, 3]);

const bitsOf = async (tensor: tfTypes.Tensor) => Array.from(new Uint32Array((await tensor.data<'float32'>()).slice().buffer));

describe('Function: installSpatialMeanKernel (through startTfjs)', () => {
  it.each([
    [[1, 64, 64, 40]],
    [[1, 7, 7, 1024]],
    [[2, 5, 3, 7]],
    [[1, 1, 1, 8]],
    [[1, 33, 17, 5]],
  ])('gives the wasm kernel’s mean over height and width bit for bit, shape %j', async (shape) => {
    const x = spreadValues(shape, shape.reduce((sum, side) => sum + side, 0));

    const kept = tf.mean(x, [1, 2], true);
    const dropped = tf.mean(x, [-3, -2]);

    expect(kept.shape).toEqual([shape[0], 1, 1, shape[3]]);
    expect(dropped.shape).toEqual([shape[0], shape[3]]);
    const expected = await bitsOf(wasmSpatialMean(x));
    expect(await bitsOf(kept)).toEqual(expected);
    expect(await bitsOf(dropped)).toEqual(expected);
  });

  it('hands other means to the wasm kernel: the same axes in another order, other axes, int32 values, empty tensors', async () => {
    // Spread values: a mean summed in another order than the wasm kernel's would differ in its last bits.
    const x = spreadValues([1, 9, 7, 5], 3);
    const integers = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    // The wasm kernel casts int32 values to float32 before it sums them: 2^24 + 1 becomes 2^24, and 1 + 2^24 stays 2^24.
    const largeIntegers = tf.tensor4d([1, 2 ** 24 + 1], [1, 2, 1, 1], 'int32');

    // The wasm kernel sums axes [2, 1] as if transposed to [0, 3, 2, 1]: width first, then height.
    expect(await bitsOf(tf.mean(x, [2, 1]))).toEqual(await bitsOf(tf.mean(tf.transpose(x, [0, 3, 2, 1]), [2, 3])));
    expect(Array.from(await tf.mean(integers, 3).data())).toEqual([1.5, 3.5, 5.5, 7.5]);
    expect(Array.from(await tf.mean(tf.cast(integers, 'int32'), [1, 2]).data())).toEqual([4, 5]);
    expect(Array.from(await tf.mean(largeIntegers, [1, 2]).data())).toEqual([2 ** 23]);
    expect(await tf.mean(tf.zeros([1, 0, 2, 3]), [1, 2]).data()).toHaveLength(3);
  });

  it('hands a mean over 2^24 pixels or more to the wasm kernel, which divides by their count rounded to float32', async () => {
    // 4097 × 4097 = 16,785,409 pixels, 16,785,408 as a float32; the float32 sum of as many ones stops at 2^24.
    const x = tf.ones([1, 4097, 4097, 1]) as tfTypes.Tensor4D;

    expect(await bitsOf(tf.mean(x, [1, 2]))).toEqual(await bitsOf(wasmSpatialMean(x)));
    tf.dispose(x);
  });

  it('is installed once: installing again keeps the same kernel', () => {
    const installed = tf.getKernel('Mean', 'wasm').kernelFunc;

    installSpatialMeanKernel(tf);

    expect(tf.getKernel('Mean', 'wasm').kernelFunc).toBe(installed);
  });
});
