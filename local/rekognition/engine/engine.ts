/**
 * The vision engine as the main thread sees it: a worker thread that loads
 * the models once and answers analysis requests. The worker runs from a
 * bundle of engine-worker.ts and its imports (worker-bundle.ts), built before
 * the worker starts when a source changed, or from its sources under tsx when
 * no bundle can be built or kept (worker-start.ts); `ready` waits for both.
 * The worker answers pixels it has analysed for the same tasks from its
 * analysis cache (analysis-cache.ts); analysisCacheCounts says how often.
 * visionEngineOver is the same engine over a worker that runs elsewhere and
 * carries the same messages (the unit tests share one a run).
 */
import { Worker } from 'node:worker_threads';
import { EngineClosedError, ImageDecodeError, type ImageProblem } from '../errors.ts';
import { defaultAnalysisCacheBytes } from './analysis-cache.ts';
import type { AnalysisTasks, EngineInfo, EngineWorkerData, FromWorker, ImageAnalysis, ToWorker } from './messages.ts';
import { engineWorkerStart } from './worker-start.ts';

export interface VisionEngineOptions {
  /**
   * Decompression-bomb guard: images with more pixels are refused.
   * @default 100_000_000 (10,000 × 10,000)
   */
  readonly maxPixels?: number;
  /**
   * Bound of the worker's analysis cache in serialized bytes (analysis-cache.ts): the same pixels asked for the
   * same tasks are answered without another model pass. 0 turns it off, for measurements of the engine's own
   * work on repeated images (bench/people.ts, bench/engine-compare.ts).
   * @default defaultAnalysisCacheBytes (4 MiB)
   */
  readonly analysisCacheBytes?: number;
}

/** What the worker's analysis cache has answered since the engine started. */
export interface AnalysisCacheCounts {
  /** Analyses answered from the cache: no model ran. */
  readonly hits: number;
  /** Analyses the models ran. */
  readonly runs: number;
}

export interface VisionEngine {
  /** Resolves once the detector and the first moderation model are loaded and verified (the second loads on first need); rejects if they cannot be. */
  readonly ready: Promise<EngineInfo>;
  /** Rejects with an ImageDecodeError for images Rekognition would refuse. */
  analyze(bytes: Uint8Array, tasks: AnalysisTasks): Promise<ImageAnalysis>;
  close(): Promise<void>;
}

/** The engine startVisionEngine starts: a VisionEngine that also counts its cache's answers (for tests and benches). */
export interface LocalVisionEngine extends VisionEngine {
  analysisCacheCounts(): AnalysisCacheCounts;
}

export const defaultMaxPixels = 100_000_000;

/**
 * The worker's young generation, in MiB (V8 sizes it as three semi-spaces). V8's default lets it
 * reach 32 MiB of semi-spaces, which stay resident once grown, while the worker's short-lived objects
 * (detection rows, messages) take a few MiB: 12 keeps semi-spaces of 4 MiB, ~24 MiB less RSS for the
 * same work (measured: the same labels, scavenges a little more often).
 */
export const engineYoungGenerationMb = 12;

/** How startVisionEngine starts its worker thread, beyond where it runs from (worker-start.ts): for a worker started elsewhere too. */
export interface EngineWorkerSettings {
  readonly workerData: EngineWorkerData;
  readonly resourceLimits: { readonly maxYoungGenerationSizeMb: number };
}

export function engineWorkerSettings(options: VisionEngineOptions = {}): EngineWorkerSettings {
  return {
    workerData: {
      maxPixels: options.maxPixels ?? defaultMaxPixels,
      analysisCacheBytes: Math.max(0, options.analysisCacheBytes ?? defaultAnalysisCacheBytes),
    },
    resourceLimits: { maxYoungGenerationSizeMb: engineYoungGenerationMb },
  };
}

/**
 * What the engine needs of its worker: a Worker of this process, or a connection to an engine worker that runs in
 * another process and carries the same messages (the unit tests share one a run: tests/support/shared-vision-engine.ts).
 * Its 'exit' says the worker (or the connection to it) is gone.
 */
export interface EngineChannel {
  postMessage(message: ToWorker, transfer: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: FromWorker) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<unknown>;
}

export function startVisionEngine(options: VisionEngineOptions = {}): LocalVisionEngine {
  const settings = engineWorkerSettings(options);
  // From the bundle, built first when a source changed, or from the sources (worker-start.ts).
  const worker = engineWorkerStart().then((start) => new Worker(start.filename, { ...start.options, ...settings }) as EngineChannel);
  return visionEngineOver(worker);
}

/** The engine over its worker's channel: requests by id, `ready`, the cache counts of this engine's own requests, and failures. */
export function visionEngineOver(worker: Promise<EngineChannel>): LocalVisionEngine {
  const pending = new Map<number, { resolve: (analysis: ImageAnalysis) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const cacheCounts = { hits: 0, runs: 0 };
  let failure: Error | undefined;

  let settleReady!: { resolve: (info: EngineInfo) => void; reject: (error: Error) => void };
  const ready = new Promise<EngineInfo>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  // Callers that never await `ready` must not see an unhandled rejection.
  ready.catch(() => undefined);

  const failAll = (error: Error) => {
    failure ??= error;
    settleReady.reject(error);
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  const onMessage = (message: FromWorker) => {
    switch (message.type) {
      case 'ready':
        settleReady.resolve(message.info);
        return;
      case 'failed':
        failAll(new Error(`the vision models did not load: ${message.message}`));
        return;
      case 'analysis':
        cacheCounts[message.cached ? 'hits' : 'runs'] += 1;
        pending.get(message.id)?.resolve(message.analysis);
        pending.delete(message.id);
        return;
      case 'rejected': {
        const error =
          message.problem === 'internal' ? new Error(`image analysis failed: ${message.message}`) : new ImageDecodeError(message.problem as ImageProblem, message.message);
        pending.get(message.id)?.reject(error);
        pending.delete(message.id);
        return;
      }
    }
  };
  worker.then(
    (started) => {
      started.on('message', onMessage);
      started.on('error', (error) => failAll(error));
      started.on('exit', (code) => failAll(code === 0 ? new EngineClosedError() : new Error(`the vision engine worker exited with code ${code}`)));
      // Closed while the bundle was being built: the worker has nothing to do.
      if (failure) void started.terminate();
    },
    (error: unknown) => failAll(error instanceof Error ? error : new Error(String(error))),
  );

  return {
    ready,
    analysisCacheCounts: () => ({ ...cacheCounts }),
    analyze(bytes, tasks) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<ImageAnalysis>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Copy into a buffer of its own so it can be transferred, not cloned.
        const copy = new Uint8Array(bytes);
        const message: ToWorker = { type: 'analyze', id, bytes: copy, tasks };
        // A worker that failed to start has already rejected this request (failAll).
        worker.then((started) => started.postMessage(message, [copy.buffer]), () => undefined);
      });
    },
    async close() {
      failAll(new EngineClosedError());
      await worker.then(
        (started) => started.terminate(),
        () => undefined,
      );
    },
  };
}
