/**
 * Installs a faster kernel in front of one of the TensorFlow.js wasm backend's kernels: the fast kernel computes
 * the calls it knows and the wasm kernel the rest. Shared by the Mean and TopK kernels
 * (spatial-mean-kernel.ts, top-k-kernel.ts) so both install, guard and expose the wrapped kernel the same way.
 */
import type * as tfTypes from '@tensorflow/tfjs';

const backendName = 'wasm';

/** A kernel's arguments (inputs, backend, attributes). */
export type KernelArgs = Parameters<tfTypes.KernelFunc>[0];

/** Computes a call itself, or returns undefined to hand it to the wasm kernel. */
export type FastKernel = (args: KernelArgs) => ReturnType<tfTypes.KernelFunc> | undefined;

interface Installed {
  wasmKernel: tfTypes.KernelConfig;
  kernelFunc: tfTypes.KernelFunc;
}

/**
 * Per TensorFlow.js instance and kernel name: the wasm kernel the installed one wraps, and the installed kernel's
 * function, so that installing twice does not wrap it twice.
 */
const installedKernels = new WeakMap<typeof tfTypes, Map<string, Installed>>();

/**
 * Replaces the wasm backend's `name` kernel with one that tries `fast` first and hands what it leaves (undefined)
 * to the wasm kernel. Once per process (the kernel registry is global); a no-op when already installed.
 */
export function wrapWasmKernel(tf: typeof tfTypes, name: string, fast: FastKernel): void {
  const registered = tf.getKernel(name, backendName);
  if (!registered) throw new Error(`the TensorFlow.js wasm backend has no ${name} kernel`);
  let installed = installedKernels.get(tf);
  if (!installed) installedKernels.set(tf, (installed = new Map()));
  if (registered.kernelFunc === installed.get(name)?.kernelFunc) return;
  // A copy the registry does not hold: the kernel this one hands its other calls to, called through this object
  // (so tests can count those calls on it: tests/local-rekognition/top-k-kernel.test.ts).
  const wasmKernel = { ...registered };
  const kernelFunc: tfTypes.KernelFunc = (args) => fast(args) ?? wasmKernel.kernelFunc(args);
  installed.set(name, { wasmKernel, kernelFunc });
  tf.unregisterKernel(name, backendName);
  tf.registerKernel({ ...registered, kernelFunc });
}

/**
 * The wasm backend's own `name` kernel that the installed one wraps and hands its other calls to (the registry then
 * holds the installed one); undefined before wrapWasmKernel. Tests take their reference from here, as another test
 * file in the same process may have installed the kernel before they could read the registry.
 */
export function wrappedWasmKernel(tf: typeof tfTypes, name: string): tfTypes.KernelConfig | undefined {
  return installedKernels.get(tf)?.get(name)?.wasmKernel;
}
