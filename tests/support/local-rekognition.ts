/**
 * One local Rekognition and an SDK client for a test file: started in
 * beforeAll (the vision models load there, under the given timeout), closed
 * in afterAll. The client makes one attempt, so a refusal is seen as is.
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll } from 'vitest';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startLocalRekognition, type LocalRekognition, type LocalRekognitionOptions } from '../../local/rekognition/index.ts';

export const rekognitionRegion = 'us-east-1';
export const rekognitionKeyPair = { accessKeyId: 'LKIATESTREKOGNITION1', secretAccessKey: 'test-secret-for-local-rekognition-0001' };

export interface LocalRekognitionFixture {
  readonly rekognition: LocalRekognition;
  readonly client: RekognitionClient;
}

export function useLocalRekognition(options: { readObject?: LocalRekognitionOptions['readObject']; timeoutMs?: number } = {}): LocalRekognitionFixture {
  let rekognition: LocalRekognition | undefined;
  let client: RekognitionClient | undefined;
  beforeAll(async () => {
    rekognition = await startLocalRekognition({
      port: 0,
      region: rekognitionRegion,
      credentials: credentialStore(rekognitionKeyPair),
      admin: credentialStore(rekognitionKeyPair),
      readObject: options.readObject ?? (async () => undefined),
    });
    await rekognition.ready;
    client = new RekognitionClient({ endpoint: rekognition.endpoint, region: rekognitionRegion, credentials: rekognitionKeyPair, maxAttempts: 1 });
  }, options.timeoutMs ?? 120_000);
  afterAll(async () => {
    client?.destroy();
    await rekognition?.close();
  });
  return {
    get rekognition() {
      if (!rekognition) throw new Error('the local Rekognition is not started (use it inside a test)');
      return rekognition;
    },
    get client() {
      if (!client) throw new Error('the local Rekognition is not started (use it inside a test)');
      return client;
    },
  };
}
