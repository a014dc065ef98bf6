/**
 * The labeler's stored detections (functions/labeler/content-results.ts) on a
 * real dynalite: a result is stored compressed in one Binary attribute and
 * given back exactly as detected (every label, confidence and box, empty
 * lists and properties included), and an item that holds no result this
 * module wrote is a miss, so the bytes are detected again.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemBytes } from '../../api/item-size.ts';
import { contentResultKey } from '../../api/table.ts';
import { contentSha256, detectByContent, sha256Once, storedDetection } from '../../functions/labeler/content-results.ts';
import type { Detection } from '../../functions/labeler/detect.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { startImagesTable, type ImagesTable } from './images-table.ts';

let table: ImagesTable;
let store: TableStore;

beforeAll(async () => {
  table = await startImagesTable();
  store = table.store;
});
afterAll(async () => {
  await table?.close();
});

const owner = '0f0e0d0c-aaaa-4bbb-8ccc-000000000001';
const bytes = new TextEncoder().encode('the bytes of a photo');

/** Six labels as the offline engine gives the astronaut photo, with Rekognition's 16-digit floats. */
const astronaut: Detection = {
  labels: [
    { name: 'Face', confidence: 99.49, parents: ['Head', 'Person'], aliases: [], categories: ['Person Description'], instances: [{ confidence: 89, boundingBox: { left: 0.4111328125, top: 0.08984375, width: 0.298828125, height: 0.296875 } }] },
    { name: 'Happy', confidence: 99.49, parents: ['Face', 'Head', 'Person'], aliases: [], categories: ['Expressions and Emotions'], instances: [] },
    { name: 'Head', confidence: 99.49, parents: ['Person'], aliases: [], categories: ['Person Description'], instances: [] },
    {
      name: 'Person',
      confidence: 99.49,
      parents: [],
      aliases: ['Human'],
      categories: ['Person Description'],
      instances: [{ confidence: 86.44475389216873, boundingBox: { left: 0.27738236889047563, top: 0.018643637125161674, width: 0.6969402183777726, height: 0.9813563628748383 } }],
    },
    { name: 'Smile', confidence: 99.49, parents: ['Face', 'Happy', 'Head', 'Person'], aliases: [], categories: ['Expressions and Emotions'], instances: [] },
    {
      name: 'Adult',
      confidence: 80,
      parents: ['Person'],
      aliases: [],
      categories: ['Person Description'],
      instances: [{ confidence: 80, boundingBox: { left: 0.27738236889047563, top: 0.018643637125161674, width: 0.6969402183777726, height: 0.9813563628748383 } }],
    },
  ],
  moderationLabels: [{ name: 'Swimwear or Underwear', confidence: 55.12345678901234, parents: [], aliases: [], categories: [], instances: [] }],
  properties: { quality: { brightness: 71.03797149658203, sharpness: 92.2303009033203, contrast: 80.12345678901234 }, dominantColors: [] },
};

/** detectByContent for `eTag`'s bytes, counting the detections it runs. */
async function labelOnce(eTag: string, detection: Detection, calls: { count: number }) {
  const read = Promise.resolve(bytes);
  const content = { owner, eTag, bytes: read, sha256: sha256Once(read), stored: storedDetection(store, owner, eTag) };
  const result = await detectByContent(
    {
      store,
      wantsProperties: true,
      detect: async () => {
        calls.count += 1;
        return structuredClone(detection);
      },
    },
    content,
  );
  await result.save?.(new Date('2026-12-01T06:00:00.000Z'));
  return result;
}

describe('Stored detections (functions/labeler/content-results.ts)', () => {
  it('gives a later upload of the same bytes the detection exactly as Rekognition answered it, without detecting again', async () => {
    const calls = { count: 0 };

    const first = await labelOnce('"etag-exact"', astronaut, calls);
    const second = await labelOnce('"etag-exact"', astronaut, calls);

    expect([first.reused, second.reused, calls.count]).toEqual([false, true, 1]);
    const { reused: _reused, save: _save, ...given } = second;
    expect(given).toStrictEqual(astronaut);
  });

  it('stores the detection in one compressed Binary attribute: the astronaut result in 1 WCU', async () => {
    await labelOnce('"etag-compact"', astronaut, { count: 0 });

    const { Item } = await store.documentClient.send(new GetCommand({ TableName: store.tableName, Key: contentResultKey(owner, '"etag-compact"') }));

    expect(Object.keys(Item ?? {}).sort()).toEqual(['detectedAt', 'detection', 'pk', 'sha256', 'sk']);
    expect(Item?.detection).toBeInstanceOf(Uint8Array);
    expect(itemBytes(Item ?? {})).toBeLessThanOrEqual(1024);
    // As Lists and Maps, the same detection took a second KB.
    expect(itemBytes({ ...Item, detection: undefined, ...astronaut })).toBeGreaterThan(1024);
  });

  it.each([
    ['stored uncompressed, as before', '"etag-lists"', { labels: astronaut.labels, moderationLabels: astronaut.moderationLabels }],
    ['bytes that do not decode', '"etag-garbage"', { detection: new Uint8Array([1, 2, 3, 4]) }],
  ])('detects the bytes again when the stored result is %s', async (_case, eTag, stored) => {
    await store.documentClient.send(new PutCommand({ TableName: store.tableName, Item: { ...contentResultKey(owner, eTag), sha256: contentSha256(bytes), ...stored } }));
    const calls = { count: 0 };

    expect(await storedDetection(store, owner, eTag)).toBeUndefined();
    const result = await labelOnce(eTag, astronaut, calls);

    expect([result.reused, calls.count]).toEqual([false, 1]);
    expect(await storedDetection(store, owner, eTag)).toStrictEqual({ sha256: contentSha256(bytes), ...astronaut });
  });
});
