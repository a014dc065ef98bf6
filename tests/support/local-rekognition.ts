/**
 * One local Rekognition and an SDK client for a test file: started in
 * beforeAll (the vision models load there, under the given timeout), closed
 * in afterAll. The client makes one attempt, so a refusal is seen as is.
 * Every file of a test worker shares one vision engine, which analyses each
 * image once for each set of tasks (sharedEngine below).
 */
import { createHash } from 'node:crypto';
import { RekognitionClient, type RekognitionClientConfig } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll } from 'vitest';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { startVisionEngine, type VisionEngine } from '../../local/rekognition/engine/engine.ts';
import type { AnalysisTasks, ImageAnalysis } from '../../local/rekognition/engine/messages.ts';
import { startLocalRekognition, type LocalRekognition, type LocalRekognitionOptions } from '../../local/rekognition/index.ts';

/**
 * `engine`, answering an image it has analysed before for the same tasks with that analysis again (a copy) instead
 * of running the models again: the engine is deterministic (one wasm thread, no state kept between images), so
 * the answer is the one a second run would give, and everything around it (the request's checks, the image source,
 * labels, filters, moderation mapping, the answer's shape) still runs on every call. The files call the same
 * fixtures for different assertions (the cat photo with MaxLabels, MinConfidence, filters, IMAGE_PROPERTIES,
 * after a refused body...), each a second of CPU. Refusals are not kept: they are cheap, and an engine that
 * failed once is asked again.
 */
export function analysingEachImageOnce(engine: VisionEngine): VisionEngine {
  const analyses = new Map<string, Promise<ImageAnalysis>>();
  const keyOf = (bytes: Uint8Array, tasks: AnalysisTasks) =>
    `${createHash('sha256').update(bytes).digest('hex')} objects=${tasks.objects} moderation=${tasks.moderation} faces=${tasks.faces ?? false}`;
  return {
    ready: engine.ready,
    close: () => engine.close(),
    analyze(bytes, tasks) {
      const key = keyOf(bytes, tasks);
      let analysis = analyses.get(key);
      if (!analysis) {
        analysis = engine.analyze(bytes, tasks);
        analyses.set(key, analysis);
        analysis.catch(() => analyses.delete(key));
      }
      // A copy each: callers own what they are given, as they own what the worker sends.
      return analysis.then((kept) => structuredClone(kept));
    },
  };
}

/**
 * One vision engine for every file a test worker runs: the unit project shares a worker's module graph between
 * its files (vitest.config.ts), so the models load once a worker instead of once a file (seconds of CPU each),
 * and an image analysed by one file is not analysed again for another (analysingEachImageOnce).
 * Never closed: the worker process ends with the run.
 */
let sharedEngine: VisionEngine | undefined;

export const rekognitionRegion = 'us-east-1';
export const rekognitionKeyPair = { accessKeyId: 'LKIATESTREKOGNITION1', secretAccessKey: 'test-secret-for-local-rekognition-0001' };

export interface LocalRekognitionFixture {
  readonly rekognition: LocalRekognition;
  /** The caller's client (rekognitionKeyPair, one attempt). */
  readonly client: RekognitionClient;
  /** The worker's shared vision engine the local Rekognition runs on, for what its answers do not show. */
  readonly engine: VisionEngine;
  /** Another client of the same endpoint (other keys, other attempts), destroyed in afterAll. */
  newClient(config?: Pick<RekognitionClientConfig, 'maxAttempts'> & { readonly credentials?: LocalCredentials }): RekognitionClient;
}

export interface UseLocalRekognitionOptions {
  /** @default - no object exists */
  readonly readObject?: LocalRekognitionOptions['readObject'];
  /** How long beforeAll may take. @default 120_000 */
  readonly timeoutMs?: number;
  /**
   * Keys of the admin, who alone may drive the /_labelcast hooks (and may also call Rekognition).
   * @default - rekognitionKeyPair is the admin too
   */
  readonly adminKeyPair?: LocalCredentials;
}

export function useLocalRekognition(options: UseLocalRekognitionOptions = {}): LocalRekognitionFixture {
  let rekognition: LocalRekognition | undefined;
  let client: RekognitionClient | undefined;
  const clients: RekognitionClient[] = [];
  const started = (): LocalRekognition => {
    if (!rekognition) throw new Error('the local Rekognition is not started (use it inside a test)');
    return rekognition;
  };
  const newClient: LocalRekognitionFixture['newClient'] = ({ credentials = rekognitionKeyPair, maxAttempts = 1 } = {}) => {
    const created = new RekognitionClient({ endpoint: started().endpoint, region: rekognitionRegion, credentials, maxAttempts });
    clients.push(created);
    return created;
  };
  beforeAll(async () => {
    const admin = options.adminKeyPair ?? rekognitionKeyPair;
    sharedEngine ??= analysingEachImageOnce(startVisionEngine());
    rekognition = await startLocalRekognition({
      engine: sharedEngine,
      port: 0,
      region: rekognitionRegion,
      credentials: options.adminKeyPair ? credentialStore(rekognitionKeyPair, options.adminKeyPair) : credentialStore(rekognitionKeyPair),
      admin: credentialStore(admin),
      readObject: options.readObject ?? (async () => undefined),
    });
    await rekognition.ready;
    client = newClient();
  }, options.timeoutMs ?? 120_000);
  afterAll(async () => {
    for (const created of clients) created.destroy();
    await rekognition?.close();
  });
  return {
    get rekognition() {
      return started();
    },
    get engine() {
      if (!sharedEngine) throw new Error('the local Rekognition is not started (use it inside a test)');
      return sharedEngine;
    },
    get client() {
      if (!client) throw new Error('the local Rekognition is not started (use it inside a test)');
      return client;
    },
    newClient,
  };
}
