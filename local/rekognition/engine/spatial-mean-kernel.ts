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
 * When the channels come in fours (every mean our models take), the sums run
 * in a small WebAssembly function of our own (`sumPixels` below: 4 channels
 * per f32x4.add, each lane a float32 addition, pixel after pixel, so the same
 * additions in the same order), on the backend's own memory, which it
 * imports: ~3.1 → ~0.45 ms on the head. Where that module cannot be made (the
 * backend's memory not reachable), the JavaScript loop does the same sums.
 *
 * Anything else (other axes, or the same ones listed in another order, which
 * the wasm kernel sums in another order; other dtypes; empty tensors; 2^24
 * pixels or more, whose count the wasm kernel rounds to float32) goes to the
 * wasm kernel as before.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const kernelName = 'Mean';
const backendName = 'wasm';

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
  const sumInWasm = channels % 4 === 0 ? wasmSummer(backend) : undefined;
  if (sumInWasm) {
    // The output holds the sums (zeroed, then added to in the wasm memory), then their means.
    means.fill(0);
    for (let image = 0; image < batch; image++) sumInWasm(values.byteOffset + image * count * channels * 4, count, channels, means.byteOffset + image * channels * 4);
    for (let at = 0; at < means.length; at++) means[at] = means[at] / count;
    return out;
  }
  const sums = new Float32Array(channels);
  for (let image = 0; image < batch; image++) {
    sums.fill(0);
    addPixels(values, image * count * channels, count, channels, sums);
    for (let channel = 0; channel < channels; channel++) means[image * channels + channel] = sums[channel] / count;
  }
  return out;
}

/** `sum(values, pixels, channels, sums)`: byte addresses in the backend's memory; channels a multiple of 4. */
type WasmSum = (values: number, pixels: number, channels: number, sums: number) => void;

/**
 * The binary of a one-function WebAssembly module that imports a memory ("m" "memory") and exports
 * `sum(values, pixels, channels, sums)`: for each pixel in turn, for each group of 4 channels, sums[c..c+3] +=
 * values[c..c+3] with f32x4.add (4 float32 additions, rounded as the wasm kernel's scalar ones). As the text format:
 *   end = values + pixels * channels * 4; row = channels * 4
 *   block: if values >= end, exit
 *     loop (pixel): c = 0
 *       loop (channel): v128.store(sums + c, f32x4.add(v128.load(sums + c), v128.load(values + c)))
 *                       c += 16; repeat while c < row
 *       values += row; repeat while values < end
 */
function sumModuleBytes(): Uint8Array<ArrayBuffer> {
  const leb = (value: number) => {
    const bytes: number[] = [];
    for (let rest = value; ; ) {
      const low = rest & 0x7f;
      rest >>>= 7;
      bytes.push(rest ? low | 0x80 : low);
      if (!rest) return bytes;
    }
  };
  const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
  const [values, pixels, channels, sums, end, row, channel] = [0, 1, 2, 3, 4, 5, 6];
  const get = (local: number) => [0x20, local];
  const set = (local: number) => [0x21, local];
  const tee = (local: number) => [0x22, local];
  const [i32Const, i32Add, i32Mul, i32Shl, i32LtU, i32GeU, brIf, block, loop, end_, voidType] = [0x41, 0x6a, 0x6c, 0x74, 0x49, 0x4f, 0x0d, 0x02, 0x03, 0x0b, 0x40];
  const v128Load = [0xfd, 0x00, 0, 0]; // align 1 (a hint), offset 0
  const v128Store = [0xfd, 0x0b, 0, 0];
  const f32x4Add = [0xfd, 0xe4, 0x01];
  const code = [
    ...get(pixels), ...get(channels), i32Mul, i32Const, 2, i32Shl, ...get(values), i32Add, ...set(end),
    ...get(channels), i32Const, 2, i32Shl, ...set(row),
    block, voidType,
    ...get(values), ...get(end), i32GeU, brIf, 0,
    loop, voidType,
    i32Const, 0, ...set(channel),
    loop, voidType,
    ...get(sums), ...get(channel), i32Add,
    ...get(sums), ...get(channel), i32Add, ...v128Load,
    ...get(values), ...get(channel), i32Add, ...v128Load,
    ...f32x4Add, ...v128Store,
    ...get(channel), i32Const, 16, i32Add, ...tee(channel), ...get(row), i32LtU, brIf, 0,
    end_,
    ...get(values), ...get(row), i32Add, ...tee(values), ...get(end), i32LtU, brIf, 0,
    end_,
    end_,
    end_,
  ];
  const i32 = 0x7f;
  const body = [1, 3, i32, ...code]; // three i32 locals: end, row, channel
  const text = (name: string) => [name.length, ...Buffer.from(name)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 4, i32, i32, i32, i32, 0]),
    ...section(2, [1, ...text('m'), ...text('memory'), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...text('sum'), 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

/** The sum function over this backend's memory (made once per memory), or undefined where it cannot be made. */
function wasmSummer(backend: BackendWasm): WasmSum | undefined {
  // Emscripten's module keeps the instance's exports, its memory among them, as `asm` (not in the typings).
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  if (!summers.has(memory)) {
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(sumModuleBytes()), { m: { memory } });
      summers.set(memory, instance.exports.sum as WasmSum);
    } catch {
      summers.set(memory, undefined);
    }
  }
  return summers.get(memory);
}

const summers = new WeakMap<WebAssembly.Memory, WasmSum | undefined>();

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
  const wasmKernel = tf.getKernel(kernelName, backendName);
  if (!wasmKernel) throw new Error('the TensorFlow.js wasm backend has no Mean kernel');
  if (wasmKernel.kernelFunc === spatialMeanKernelFunc.get(tf)) return;
  const kernelFunc: tfTypes.KernelFunc = (args) => {
    const x = args.inputs.x as tfTypes.TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    return isSpatialMean(tf, x, axis) ? spatialMean(args.backend as BackendWasm, x, keepDims) : wasmKernel.kernelFunc(args);
  };
  spatialMeanKernelFunc.set(tf, kernelFunc);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...wasmKernel, kernelFunc });
}

/** The kernel installed per TensorFlow.js instance, so installing twice does not wrap it twice. */
const spatialMeanKernelFunc = new WeakMap<typeof tfTypes, tfTypes.KernelFunc>();
