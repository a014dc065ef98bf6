/**
 * An exact speed-up of TensorFlow.js's wasm `TopK` for the one selection our
 * models make: centernet's 100 best of its 128 × 128 × 80 class heatmap
 * (1,310,720 scores, once per detector view).
 *
 * The wasm kernel copies each row's (value, index) pairs, selects the k best
 * (a Floyd–Rivest select over the whole row), then sorts those k (value
 * descending, equal values by index ascending; tfjs's TopK.cc): ~5–7 ms of CPU
 * a call on that heatmap, to keep 100.
 * This keeps the k best in a heap while reading the row once (most scores
 * are below the heap's worst and cost one comparison), then sorts those k in
 * place by the same rule. The rule is a total order on numbers (equal values, +0 and
 * −0 included, are told apart by index), so the k first are the same values,
 * copied unchanged, and the same indices, whichever way they are selected
 * (tests/local-rekognition/top-k-kernel.test.ts).
 *
 * Anything else goes to the wasm kernel as before: a row holding a NaN (its
 * comparisons are no order, so where the wasm kernel puts it is its own; it
 * even depends on k), int32
 * values, k of 0 or more than a thousandth of the row (a heap gains nothing
 * there), or `sorted` false.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrappedWasmKernel, wrapWasmKernel } from './wasm-kernel-wrap.ts';

const kernelName = 'TopK';
/**
 * The heap pays off when k is a small share of the row: centernet keeps 100 of 1,310,720 (~1.6 against ~5 ms of
 * CPU); 150 of 4,000 took longer than the wasm kernel (~0.25 against ~0.1 ms).
 */
const maxShareOfRow = 1 / 1000;

/** Whether this TopK is one this kernel computes itself (before looking for NaNs). */
function isSmallTopK(x: tfTypes.TensorInfo, k: number, sorted: boolean): boolean {
  const row = x.shape.at(-1) ?? 0;
  return x.dtype === 'float32' && sorted && Number.isInteger(k) && k > 0 && k <= row * maxShareOfRow;
}

/**
 * The k best of each row, as the wasm kernel gives them; undefined when a row holds a NaN
 * (the caller then hands the call to the wasm kernel).
 */
function topK(backend: BackendWasm, x: tfTypes.TensorInfo, k: number): tfTypes.TensorInfo[] | undefined {
  const row = x.shape.at(-1) ?? 0;
  const rows = x.shape.slice(0, -1).reduce((size, side) => size * side, 1);
  const picked = new Float64Array(k * rows);
  const pickedIndices = new Int32Array(k * rows);
  const values = backend.typedArrayFromHeap(x) as Float32Array;
  for (let at = 0; at < rows; at++) {
    if (!selectRow(values, at * row, row, picked.subarray(at * k, at * k + k), pickedIndices.subarray(at * k, at * k + k))) return undefined;
  }
  const shape = [...x.shape.slice(0, -1), k];
  const outValues = backend.makeOutput(shape, 'float32');
  const outIndices = backend.makeOutput(shape, 'int32');
  // Views on the wasm heap, taken after makeOutput (which may grow the heap and detach earlier views).
  (backend.typedArrayFromHeap(outValues) as Float32Array).set(picked);
  (backend.typedArrayFromHeap(outIndices) as Int32Array).set(pickedIndices);
  return [outValues, outIndices];
}

/**
 * The k best of `length` values from `start` into `best` / `bestIndices` (index within the row), best first;
 * false when a value is NaN. The heap's root is its worst entry: the lowest value, of equal values the highest index.
 * A later value equal to the root's has a higher index, so it is worse and is passed over, as the wasm kernel ranks it.
 */
function selectRow(values: Float32Array, start: number, length: number, best: Float64Array, bestIndices: Int32Array): boolean {
  const k = best.length;
  for (let index = 0; index < k; index++) {
    const value = values[start + index];
    if (Number.isNaN(value)) return false;
    best[index] = value;
    bestIndices[index] = index;
    siftUp(best, bestIndices, index);
  }
  const end = start + length;
  for (let at = nextAbove(values, start + k, end, best[0]); at < end; at = nextAbove(values, at + 1, end, best[0])) {
    if (at < 0) return false;
    best[0] = values[at];
    bestIndices[0] = at - start;
    siftDown(best, bestIndices, k);
  }
  // Best first (the wasm kernel's order), in place: a heap sort moves the worst left in the heap to its end, one at a time.
  for (let size = k - 1; size > 0; size--) {
    swap(best, bestIndices, 0, size);
    siftDown(best, bestIndices, size);
  }
  return true;
}

/**
 * The position of the first value above `worst` from `from` to `end`, `end` when there is none, −1 at a NaN (neither
 * below nor above). A small loop of its own: inside selectRow's, V8 ran it at about half the speed.
 */
function nextAbove(values: Float32Array, from: number, end: number, worst: number): number {
  for (let at = from; at < end; at++) {
    const value = values[at];
    if (value <= worst) continue;
    return value > worst ? at : -1;
  }
  return end;
}

/** Whether heap entry a ranks below entry b (lower value, or the same value at a higher index). */
function isWorse(values: Float64Array, indices: Int32Array, a: number, b: number): boolean {
  return values[a] < values[b] || (values[a] === values[b] && indices[a] > indices[b]);
}

function swap(values: Float64Array, indices: Int32Array, a: number, b: number): void {
  const value = values[a];
  values[a] = values[b];
  values[b] = value;
  const index = indices[a];
  indices[a] = indices[b];
  indices[b] = index;
}

function siftUp(values: Float64Array, indices: Int32Array, from: number): void {
  let child = from;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (!isWorse(values, indices, child, parent)) return;
    swap(values, indices, child, parent);
    child = parent;
  }
}

function siftDown(values: Float64Array, indices: Int32Array, size: number): void {
  let parent = 0;
  for (;;) {
    const left = 2 * parent + 1;
    const right = left + 1;
    let worst = parent;
    if (left < size && isWorse(values, indices, left, worst)) worst = left;
    if (right < size && isWorse(values, indices, right, worst)) worst = right;
    if (worst === parent) return;
    swap(values, indices, parent, worst);
    parent = worst;
  }
}

/**
 * Replaces the wasm backend's TopK kernel with one that selects a few of many itself and hands every other
 * TopK to the wasm kernel. Once per process (the kernel registry is global); a no-op when already installed.
 */
export function installTopKKernel(tf: typeof tfTypes): void {
  wrapWasmKernel(tf, kernelName, (args) => {
    const x = args.inputs.x as tfTypes.TensorInfo;
    const { k, sorted } = args.attrs as { k: number; sorted: boolean };
    return isSmallTopK(x, k, sorted) ? topK(args.backend as BackendWasm, x, k) : undefined;
  });
}

/**
 * The wasm backend's own TopK kernel that the installed one wraps and hands its other calls to (the registry then
 * holds the installed one); undefined before installTopKKernel. Tests take their reference from here, as another
 * test file in the same process may have installed the kernel before they could read the registry.
 */
export function wrappedWasmTopKKernel(tf: typeof tfTypes): tfTypes.KernelConfig | undefined {
  return wrappedWasmKernel(tf, kernelName);
}
