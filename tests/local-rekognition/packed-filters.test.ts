/**
 * packed-filters.ts: a registered model's convolution filters leave the wasm heap after their first call, every
 * later call gives the same floats bit for bit (the backend's XNNPACK operator holds its own packed copy), a freed
 * filter called with other settings is refused before the kernel could pack freed memory, and filters of no
 * registered model are left alone. How much heap that saves on the engine's models is engine-wasm-heap.test.ts's part.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { releaseFiltersOncePacked, releasedFilterBytes, releasesFiltersOn, releasingFiltersOfLoad } from '../../local/rekognition/engine/packed-filters.ts';
import { ReleasedFilterError } from '../../local/rekognition/errors.ts';
import { startTfjs } from '../../local/rekognition/engine/tfjs-runtime.ts';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await startTfjs();
}, 60_000);

/** Values whose float32 products and sums depend on every bit, a seed per tensor. */
function spread(shape: number[], seed: number): tfTypes.Tensor {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return tf.tensor(Float32Array.from({ length: shape.reduce((size, side) => size * side, 1) }, () => next() * 2 - 1), shape);
}

const bitsOf = async (tensor: tfTypes.Tensor) => Array.from(new Uint32Array((await tensor.data<'float32'>()).slice().buffer));

/** A model whose only weights are these tensors, as a graph model lists them. */
const modelOf = (...tensors: tfTypes.Tensor[]) => ({ weights: Object.fromEntries(tensors.map((tensor, index) => [`w${index}`, [tensor]])) });

describe('Function: releaseFiltersOncePacked', () => {
  it.each([
    ['Conv2D', (x: tfTypes.Tensor4D, filter: tfTypes.Tensor4D) => tf.conv2d(x, filter, 1, 'same'), [3, 3, 8, 16]],
    ['DepthwiseConv2dNative', (x: tfTypes.Tensor4D, filter: tfTypes.Tensor4D) => tf.depthwiseConv2d(x, filter, 2, 'valid'), [5, 5, 8, 1]],
    [
      'FusedConv2D',
      (x: tfTypes.Tensor4D, filter: tfTypes.Tensor4D, bias: tfTypes.Tensor1D) => tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu6' }),
      [1, 1, 8, 16],
    ],
  ] as const)('frees a %s filter after its first call; later calls give the same bits as an unfreed copy', async (_kernel, convolve, filterShape) => {
    // Arrange
    const x = spread([1, 12, 12, 8], 1) as tfTypes.Tensor4D;
    const size = (filterShape as readonly number[]).reduce((product, side) => product * side, 1);
    const filter = spread([...filterShape], 2) as tfTypes.Tensor4D;
    // A copy of the values in a tensor of its own (clone() would share the filter's data and its id on the heap).
    const copy = tf.tensor4d(await filter.data(), filter.shape);
    const bias = tf.fill([filterShape[3]], 0.25) as tfTypes.Tensor1D;
    const expected = await bitsOf(convolve(x, copy, bias));
    releaseFiltersOncePacked(modelOf(filter));
    const before = releasedFilterBytes();

    // Act
    const first = await bitsOf(convolve(x, filter, bias));
    const freed = releasedFilterBytes() - before;
    // Other values where the filter's copy was (the heap's allocator hands a freed block to the next request it fits).
    const scribble = tf.fill([size], 7);
    const later = await bitsOf(convolve(x, filter, bias));
    scribble.dispose();

    // Assess
    expect(freed).toBe(size * 4);
    expect(first).toEqual(expected);
    expect(later).toEqual(expected);
    expect(releasedFilterBytes() - before).toBe(freed);
  });

  it('refuses a freed filter called with other settings, before the kernel packs it', () => {
    // Arrange
    const x = spread([1, 8, 8, 4], 3);
    const filter = spread([3, 3, 4, 4], 4) as tfTypes.Tensor4D;
    releaseFiltersOncePacked(modelOf(filter));
    tf.conv2d(x as tfTypes.Tensor4D, filter, 1, 'same');
    const tensors = tf.memory().numTensors;

    // Act
    const call = () => tf.conv2d(x as tfTypes.Tensor4D, filter, 2, 'same');

    // Assess: no output was made
    expect(call).toThrow(ReleasedFilterError);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('leaves the filters of unregistered models on the heap', async () => {
    // Arrange
    const x = spread([1, 6, 6, 4], 5);
    const filter = spread([3, 3, 4, 2], 6) as tfTypes.Tensor4D;
    const values = await bitsOf(filter);
    const before = releasedFilterBytes();

    // Act
    tf.conv2d(x as tfTypes.Tensor4D, filter, 1, 'valid');
    tf.conv2d(x as tfTypes.Tensor4D, filter, 2, 'valid');

    // Assess
    expect(releasedFilterBytes()).toBe(before);
    expect(await bitsOf(filter)).toEqual(values);
  });
});

describe('Function: releasingFiltersOfLoad', () => {
  it('frees the filters of the convolutions a load runs, and only those', async () => {
    // Arrange
    const x = spread([1, 6, 6, 4], 7);
    const loaded = spread([3, 3, 4, 2], 8) as tfTypes.Tensor4D;
    const later = spread([3, 3, 4, 2], 9) as tfTypes.Tensor4D;
    const before = releasedFilterBytes();

    // Act
    await releasingFiltersOfLoad(async () => tf.conv2d(x as tfTypes.Tensor4D, loaded, 1, 'valid'));
    const afterLoad = releasedFilterBytes();
    tf.conv2d(x as tfTypes.Tensor4D, later, 1, 'valid');

    // Assess
    expect(afterLoad - before).toBe(3 * 3 * 4 * 2 * 4);
    expect(releasedFilterBytes()).toBe(afterLoad);
  });
});

describe('Function: releasesFiltersOn', () => {
  it('frees filters on the installed wasm backend, the version it was checked against, and on no other', () => {
    expect(releasesFiltersOn(version_wasm)).toBe(true);
    expect(releasesFiltersOn('4.22.1')).toBe(false);
    expect(releasesFiltersOn('5.0.0')).toBe(false);
  });
});
