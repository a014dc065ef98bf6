/**
 * The fast subset of the evaluation set (tests/fixtures/eval): ten ordinary
 * held-out photos through the local Rekognition with the real AWS SDK client
 * and the real models. Each must get its expected labels at the default
 * MinConfidence (55) and no moderation label at the default 50.
 * `npm run bench:labels` gives the figures for the whole set.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DetectLabelsCommand, DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startLocalRekognition, type LocalRekognition } from '../../local/rekognition/index.ts';

const evalDirectory = path.resolve(import.meta.dirname, '../fixtures/eval');
const region = 'us-east-1';
const keyPair = { accessKeyId: 'LKIATESTREKOGNITION1', secretAccessKey: 'test-secret-for-local-rekognition-0001' };

/** Photo → labels it must get (Rekognition's names). All are ordinary: no moderation label allowed. */
const expected: readonly (readonly [file: string, labels: readonly string[]])[] = [
  ['kpa-qt-logo.jpg', ['Person']],
  ['kpa-jesper.jpg', ['Person']],
  ['kpa-donna.jpg', ['Dog', 'Animal']],
  ['gc-erase-kitten.jpg', ['Cat', 'Pet']],
  ['gc-erase-horse.jpg', ['Horse']],
  ['gc-farm-cow.jpg', ['Cow']],
  ['gc-erase-swans.jpg', ['Bird']],
  ['stamp-banana.jpg', ['Banana']],
  ['stamp-orange.jpg', ['Orange']],
  ['stamp-firetruck.jpg', ['Truck']],
];

let rekognition: LocalRekognition;
let client: RekognitionClient;

beforeAll(async () => {
  rekognition = await startLocalRekognition({
    port: 0,
    region,
    credentials: credentialStore(keyPair),
    admin: credentialStore(keyPair),
    readObject: async () => undefined,
  });
  await rekognition.ready;
  client = new RekognitionClient({ endpoint: rekognition.endpoint, region, credentials: keyPair, maxAttempts: 1 });
}, 180_000);

afterAll(async () => {
  client?.destroy();
  await rekognition?.close();
});

describe('the evaluation set, fast subset', () => {
  it.each(expected)('%s gets %j and no moderation label', async (file, labels) => {
    const image = { Bytes: await readFile(path.join(evalDirectory, file)) };
    const [detected, moderation] = await Promise.all([
      client.send(new DetectLabelsCommand({ Image: image })),
      client.send(new DetectModerationLabelsCommand({ Image: image })),
    ]);
    expect(detected.Labels?.map((label) => label.Name)).toEqual(expect.arrayContaining([...labels]));
    expect(moderation.ModerationLabels).toEqual([]);
  }, 120_000);
});
