/**
 * TensorFlow.js on its WebAssembly backend, with the .wasm binaries read from
 * the local node_modules (the backend's default points at a CDN), and two
 * kernels sped up, with the same outputs: Mean, for the spatial means every
 * model here takes (spatial-mean-kernel.ts), and TopK, for centernet's 100
 * best of its heatmap (top-k-kernel.ts); the models' convolution filters
 * freed from the wasm heap once packed (packed-filters.ts); and the models'
 * files read from disk (readGraphModelArtifacts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { installFilterRelease } from './packed-filters.ts';
import { installSpatialMeanKernel } from './spatial-mean-kernel.ts';
import { installTopKKernel } from './top-k-kernel.ts';

const require = createRequire(import.meta.url);

/** Directory of an installed package (its exports map may hide package.json subpaths, so walk up from the entry). */
export function packageDirectory(name: string): string {
  let directory = path.dirname(require.resolve(name));
  while (path.basename(directory) !== name.split('/').pop() && directory !== path.dirname(directory)) directory = path.dirname(directory);
  return directory;
}

let started: Promise<typeof tf> | undefined;

export function startTfjs(): Promise<typeof tf> {
  started ??= (async () => {
    setWasmPaths(`${path.join(packageDirectory('@tensorflow/tfjs-backend-wasm'), 'dist')}${path.sep}`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js wasm backend did not start');
    await tf.ready();
    installSpatialMeanKernel(tf);
    installTopKKernel(tf);
    installFilterRelease(tf, version_wasm);
    return tf;
  })();
  return started;
}

/** A graph model's artifacts from its model.json and the weight shards beside it, its weights in one buffer. */
export async function readGraphModelArtifacts(
  modelJsonFile: string,
): Promise<tf.io.ModelArtifacts & { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer }> {
  const modelJson = JSON.parse(await readFile(modelJsonFile, 'utf8')) as tf.io.ModelJSON;
  const shardPaths = modelJson.weightsManifest.flatMap((group) => group.paths).map((shard) => path.join(path.dirname(modelJsonFile), shard));
  const shards = await Promise.all(shardPaths.map((shard) => readFile(shard)));
  return {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: new Uint8Array(Buffer.concat(shards)).buffer,
  };
}
