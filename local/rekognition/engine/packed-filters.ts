/**
 * Frees each model's convolution filters from the wasm heap once XNNPACK has
 * packed them, for the same outputs bit for bit and less heap: 233 → 162 MiB
 * after a long mixed sequence of photos, 162 → 135 on the bench's photos.
 *
 * The wasm backend creates an XNNPACK operator on a convolution's first call
 * and keeps it in a cache keyed by the filter's tensor id, the bias's and the
 * convolution's settings (tfjs-backend-wasm's conv2d_impl.cc): the operator
 * holds its own packed copy of the filter (and the bias), and every later call
 * with the same key runs it without reading the filter's tensor again. The
 * filter's own copy then stays on the heap for nothing, as long as the model
 * lives: 48.5 MiB of the engine's 51.5 MiB of weights once the detector, both
 * nsfwjs models and the face models have run. A wasm heap never shrinks, and
 * what it held stays resident, so this is the stack's RSS for good; freed, it
 * holds the activations of later calls instead of the heap growing for them
 * (bench/engine-wasm-heap.ts; local/rekognition/README.md, "Memory").
 *
 * Only the filters of models' weights are freed: those of a model registered
 * with releaseFiltersOncePacked, or called while releasingFiltersOfLoad runs
 * its load; each after a call of theirs has returned (so its operator exists).
 * The tensor stays registered with the backend, its JavaScript record pointing
 * at a 4-byte block of its own instead (freed if the tensor is ever disposed,
 * which then also deletes its operators, as before). A freed filter called with
 * other settings than its first call after registration would make the wasm
 * kernel pack freed memory: that call throws instead, before the kernel runs.
 * Nothing else reads a loaded model's weights (TensorFlow.js only in save()).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ReleasedFilterError } from '../errors.ts';
import { wrappedWasmKernel, wrapWasmKernel, type KernelArgs } from './wasm-kernel-wrap.ts';

/** The wasm kernels that pack their filter input into a cached XNNPACK operator. */
const packingKernels = ['Conv2D', 'DepthwiseConv2dNative', 'FusedConv2D', 'FusedDepthwiseConv2D'] as const;

/** Data ids of model weights whose wasm copy may be freed once packed. */
const releasable = new WeakSet<object>();
/** Data ids of freed filters, with the settings of the call their operator was kept for. */
const released = new WeakMap<object, string>();
let releasedBytes = 0;

/** A loaded model: a graph model's named weights, or a layers model's variables. */
export interface ModelWithWeights {
  readonly weights: Readonly<Record<string, readonly tfTypes.Tensor[]>> | readonly { read(): tfTypes.Tensor }[];
}

/**
 * Lets the wasm copies of this model's convolution filters be freed after their next call. Call it once the model
 * is loaded, before it runs or at least before it runs again (nsfwjs runs its models once while loading them).
 */
export function releaseFiltersOncePacked(model: ModelWithWeights): void {
  const { weights } = model;
  const tensors = Array.isArray(weights)
    ? (weights as readonly { read(): tfTypes.Tensor }[]).map((variable) => variable.read())
    : Object.values(weights as Readonly<Record<string, readonly tfTypes.Tensor[]>>).flat();
  for (const tensor of tensors) releasable.add(tensor.dataId);
}

let loadsUnderway = 0;

/**
 * Runs a load that also runs its model, letting the filters of the convolutions called meanwhile be freed once
 * packed, as those of a registered model: nsfwjs runs each model once inside its load(), before the model can be
 * registered. In the engine's worker nothing else runs while a model loads but the other models' loads.
 */
export async function releasingFiltersOfLoad<T>(load: () => Promise<T>): Promise<T> {
  loadsUnderway += 1;
  try {
    return await load();
  } finally {
    loadsUnderway -= 1;
  }
}

/** Bytes of filters freed so far in this process (for tests and benches). */
export function releasedFilterBytes(): number {
  return releasedBytes;
}

const idOf = (backend: BackendWasm, tensor: tfTypes.TensorInfo | undefined) => (tensor ? backend.dataIdMap.get(tensor.dataId)?.id : undefined);

/**
 * What the wasm kernel keys its operator by, and more: the input's channels, the filter's shape, the bias and
 * PReLU weights, and every attribute (strides, padding, dilations, data format, activation).
 */
function settingsOf(kernel: string, { inputs, attrs, backend }: KernelArgs): string {
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tfTypes.TensorInfo | undefined>;
  const wasm = backend as BackendWasm;
  return JSON.stringify([kernel, x?.shape[3], filter?.shape, idOf(wasm, bias), idOf(wasm, preluActivationWeights), attrs]);
}

/** Frees a registered filter's wasm copy after the call that made (or found) its operator. */
function release(backend: BackendWasm, filter: tfTypes.TensorInfo, settings: string): void {
  const data = backend.dataIdMap.get(filter.dataId);
  if (!data || data.dtype !== 'float32') return;
  // The emscripten module's allocator, which the backend allocates tensors with (its typings leave it out).
  const heap = backend.wasm as unknown as { _malloc(bytes: number): number; _free(pointer: number): void };
  heap._free(data.memoryOffset);
  // The backend frees memoryOffset when the tensor is disposed: it must stay a block of the heap's own.
  data.memoryOffset = heap._malloc(4) >>> 0;
  released.set(filter.dataId, settings);
  releasedBytes += filter.shape.reduce((size, side) => size * side, 4);
}

/**
 * The wasm backend versions whose operator cache this was checked against (its key, in conv2d_impl.cc, holds the
 * filter's id and the settings settingsOf compares, not the filter's values): another version may key or read its
 * filters otherwise, so there the filters are kept, as without this module (the same outputs, a larger heap).
 */
const checkedBackendVersions: readonly string[] = ['4.22.0'];

/** Whether filters are freed on this version of @tensorflow/tfjs-backend-wasm. */
export const releasesFiltersOn = (backendVersion: string): boolean => checkedBackendVersions.includes(backendVersion);

/**
 * Installs the release in front of the wasm backend's packing kernels (which still compute every call), on a
 * backend version it was checked against (releasesFiltersOn); returns whether it did. Once per process (the kernel
 * registry is global); a no-op when already installed.
 */
export function installFilterRelease(tf: typeof tfTypes, backendVersion: string): boolean {
  if (!releasesFiltersOn(backendVersion)) return false;
  for (const kernel of packingKernels) {
    wrapWasmKernel(tf, kernel, (args) => {
      const filter = args.inputs.filter as tfTypes.TensorInfo | undefined;
      if (!filter) return undefined;
      if (loadsUnderway > 0) releasable.add(filter.dataId);
      if (!releasable.has(filter.dataId)) return undefined;
      const settings = settingsOf(kernel, args);
      const packedFor = released.get(filter.dataId);
      if (packedFor !== undefined && packedFor !== settings) throw new ReleasedFilterError(kernel, settings, packedFor);
      const output = wrappedWasmKernel(tf, kernel)?.kernelFunc(args);
      if (output === undefined) throw new Error(`the TensorFlow.js wasm backend has no ${kernel} kernel`);
      if (packedFor === undefined) release(args.backend as BackendWasm, filter, settings);
      return output;
    });
  }
  return true;
}
