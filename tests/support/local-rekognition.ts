/**
 * One local Rekognition and an SDK client for a test file: started in
 * beforeAll (the vision models load there, under the given timeout), closed
 * in afterAll. The client makes one attempt, so a refusal is seen as is.
 * Every file of a run shares one vision engine (./shared-vision-engine.ts),
 * whose analysis cache (local/rekognition/engine/analysis-cache.ts) answers
 * the same pixels asked for the same tasks again without another model pass.
 */
import { RekognitionClient, type RekognitionClientConfig } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe } from 'vitest';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import type { LocalVisionEngine } from '../../local/rekognition/engine/engine.ts';
import { startLocalRekognition, type LocalRekognition, type LocalRekognitionOptions } from '../../local/rekognition/index.ts';
import { sharedVisionEngine, type SharedVisionEngine } from './shared-vision-engine.ts';

/**
 * This test process's connection to the run's vision engine (./shared-vision-engine.ts), made by the first file
 * that needs it: the unit project shares a worker's module graph between its files (vitest.config.ts), and the
 * engine's host is shared by the test processes. Never closed: the connection ends with the process, and the
 * host with its last connection. One that has ended (its host crashed, its models did not load) is replaced by the
 * next file that needs it, which connects anew (starting another host), rather than failing every later file.
 */
let sharedEngine: SharedVisionEngine | undefined;

/**
 * The timeout of a test that waits on the engine, refusals included (the worker decodes every image): the run's one
 * engine analyses one image at a time, so a test's request waits behind the other files' (a second or so each on a
 * quiet machine); on a loaded one vitest's default of 30 s was not enough.
 */
const engineTestTimeoutMs = 120_000;

/** A describe block of tests that wait on the run's vision engine: each test has engineTestTimeoutMs. */
export function describeEngineTests(name: string, body: () => void): void {
  describe(name, { timeout: engineTestTimeoutMs }, body);
}

export const rekognitionRegion = 'us-east-1';
export const rekognitionKeyPair = { accessKeyId: 'LKIATESTREKOGNITION1', secretAccessKey: 'test-secret-for-local-rekognition-0001' };

export interface LocalRekognitionFixture {
  readonly rekognition: LocalRekognition;
  /** The caller's client (rekognitionKeyPair, one attempt). */
  readonly client: RekognitionClient;
  /** The worker's shared vision engine the local Rekognition runs on, for what its answers do not show. */
  readonly engine: LocalVisionEngine;
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
    if (!sharedEngine || sharedEngine.ended) sharedEngine = sharedVisionEngine();
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
