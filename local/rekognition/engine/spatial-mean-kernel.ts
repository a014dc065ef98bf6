/**
 * An exact speed-up of TensorFlow.js's wasm `Mean` for the one reduction our
 * models make: the mean over height and width of an NHWC float32 tensor
 * (centernet's 8 squeeze-and-excitation blocks and its head; the global
 * pooling of faceres, the emotion model and nsfwjs).
 *
 * The wasm kernel first transposes the tensor so that the reduced axes come
 * last (a generic element-by-element copy: about three quarters of its time),
 * then sums each channel's values one after the other in float32 and divides
 * by their count. This sums them in place, in the same order, rounding to
 * float32 at each step (Math.fround, or a Float32Array store: the sum of two
 * float32 values computed in double and rounded to float32 is their float32
 * sum), and divides likewise, so the outputs are the wasm kernel's bit for bit
 * (tests/local-rekognition/spatial-mean-kernel.test.ts compares the two), in
 * about a quarter of its CPU time or less: ~10 → ~2.5 ms on a 128 × 128 × 96
 * tensor, ~27 → ~3.5 ms on centernet's 128 × 128 × 128 head; centernet's nine
 * means were ~40 ms of CPU per detector view.
 *
 * Anything else (other axes, or the same ones listed in another order, which
 * the wasm kernel sums in another order; other dtypes; empty tensors; 2^24
 * pixels or more, whose count the wasm kernel rounds to float32) goes to the
 * wasm kernel as before.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './wasm-kernel-wrap.ts';

const kernelName = 'Mean';

/** Whether a Mean of this input over these axes is the spatial mean this kernel computes itself. */
function isSpatialMean(tf: typeof tfTypes, x: tfTypes.TensorInfo, axis: number | number[]): boolean {
  if (x.dtype !== 'float32' || x.shape.length !== 4 || x.shape.some((side) => side === 0)) return false;
  // The wasm kernel divides by the pixel count as a float32, exact only below 2^24; this kernel divides by the exact count.
  if (x.shape[1] * x.shape[2] >= 2 ** 24) return false;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  return axes.length === 2 && axes[0] === 1 && axes[1] === 2;
}

/** The mean over axes 1 and 2 of an NHWC float32 tensor, as the wasm kernel computes it. */
function spatialMean(backend: BackendWasm, x: tfTypes.TensorInfo, keepDims: boolean): tfTypes.TensorInfo {
  const [batch, height, width, channels] = x.shape;
  const out = backend.makeOutput(keepDims ? [batch, 1, 1, channels] : [batch, channels], 'float32');
  // Views on the wasm heap, taken after makeOutput (which may grow the heap and detach earlier views).
  const values = backend.typedArrayFromHeap(x) as Float32Array;
  const means = backend.typedArrayFromHeap(out) as Float32Array;
  const count = height * width;
  const sums = new Float32Array(channels);
  for (let image = 0; image < batch; image++) {
    sums.fill(0);
    addPixels(values, image * count * channels, count, channels, sums);
    for (let channel = 0; channel < channels; channel++) means[image * channels + channel] = sums[channel] / count;
  }
  return out;
}

/**
 * Adds `count` pixels' channels, from `start`, to `sums`: for each channel the pixels one after the other, rounded
 * to float32 after every addition, as the wasm kernel's float sum. Two pixels and four channels a turn (the same
 * additions in the same order for each channel), about half the time of one value a turn.
 */
function addPixels(values: Float32Array, start: number, count: number, channels: number, sums: Float32Array): void {
  const round = Math.fround;
  const inQuads = channels - (channels % 4);
  let pixel = 0;
  for (; pixel + 1 < count; pixel += 2) {
    const first = start + pixel * channels;
    const second = first + channels;
    let channel = 0;
    for (; channel < inQuads; channel += 4) {
      sums[channel] = round(round(sums[channel] + values[first + channel]) + values[second + channel]);
      sums[channel + 1] = round(round(sums[channel + 1] + values[first + channel + 1]) + values[second + channel + 1]);
      sums[channel + 2] = round(round(sums[channel + 2] + values[first + channel + 2]) + values[second + channel + 2]);
      sums[channel + 3] = round(round(sums[channel + 3] + values[first + channel + 3]) + values[second + channel + 3]);
    }
    for (; channel < channels; channel++) sums[channel] = round(round(sums[channel] + values[first + channel]) + values[second + channel]);
  }
  if (pixel < count) {
    const last = start + pixel * channels;
    for (let channel = 0; channel < channels; channel++) sums[channel] += values[last + channel];
  }
}

/**
 * Replaces the wasm backend's Mean kernel with one that computes spatial means itself and hands every other
 * Mean to the wasm kernel. Once per process (the kernel registry is global); a no-op when already installed.
 */
export function installSpatialMeanKernel(tf: typeof tfTypes): void {
  wrapWasmKernel(tf, kernelName, (args) => {
    const x = args.inputs.x as tfTypes.TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    return isSpatialMean(tf, x, axis) ? spatialMean(args.backend as BackendWasm, x, keepDims) : undefined;
  });
}
