/**
 * The fast subset of the evaluation set (tests/fixtures/eval): ten ordinary
 * held-out photos through the local Rekognition with the real AWS SDK client
 * and the real models. Each must get its expected labels at the default
 * MinConfidence (55) and no moderation label at the default 50.
 * `npm run bench:labels` gives the figures for the whole set.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DetectLabelsCommand, DetectModerationLabelsCommand } from '@aws-sdk/client-rekognition';
import { expect, it } from 'vitest';
import { describeEngineTests, useLocalRekognition } from '../support/local-rekognition.ts';

const evalDirectory = path.resolve(import.meta.dirname, '../fixtures/eval');

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

// The vision models load in the harness's beforeAll.
const local = useLocalRekognition({ timeoutMs: 180_000 });

describeEngineTests('the evaluation set, fast subset', () => {
  it.each(expected)('%s gets %j and no moderation label', async (file, labels) => {
    const image = { Bytes: await readFile(path.join(evalDirectory, file)) };
    const [detected, moderation] = await Promise.all([
      local.client.send(new DetectLabelsCommand({ Image: image })),
      local.client.send(new DetectModerationLabelsCommand({ Image: image })),
    ]);
    expect(detected.Labels?.map((label) => label.Name)).toEqual(expect.arrayContaining([...labels]));
    expect(moderation.ModerationLabels).toEqual([]);
  });
});
