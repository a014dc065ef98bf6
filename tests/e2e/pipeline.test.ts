/**
 * The whole path as a user walks it with aws-amplify v6: requestUpload,
 * subscribe, PUT to the presigned URL, the labeler fired by the real S3 event,
 * labels pushed on onImageLabeled, then found again with imagesByLabel.
 */
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import type { Image } from '../../client-example/graphql/index.ts';
import { visionEngineAtHost } from '../../local/rekognition/engine-connection.ts';
import { socketFromSetting } from '../../local/rekognition/engine-socket-name.ts';
import { fixture, labelcastClient } from '../support/amplify-client.ts';
import { rekognitionStats } from '../support/rekognition-stats.ts';
import { untilSearchable } from '../support/searchable.ts';

const labelNamed = (image: Image, name: string) =>
  image.labels.find((label) => label.name === name);

describe('Pipeline: upload → labels pushed → search', () => {
  const client = labelcastClient();

  it('pushes Cat, with parents Animal and Mammal, for a cat photo', async () => {
    // Prepare
    const bytes = await fixture('cat.jpg');

    // Act
    const image = await client.uploadAndWait(bytes, 'cat.jpg');

    // Assess
    expect(image.status).toBe('LABELED');
    expect(image.contentType).toBe('image/jpeg');
    expect(image.sizeBytes).toBe(bytes.byteLength);
    expect(image.fileName).toBe('cat.jpg');
    const cat = labelNamed(image, 'Cat');
    expect(cat, JSON.stringify(image.labels)).toBeDefined();
    expect(cat?.parents).toEqual(expect.arrayContaining(['Animal', 'Mammal']));
    expect(cat?.confidence).toBeGreaterThan(50);
    expect(cat?.confidence).toBeLessThanOrEqual(100);
    expect(labelNamed(image, 'Person')).toBeUndefined();

    const stored = await client.image(image.id);
    expect(stored?.status).toBe('LABELED');
    expect(stored?.labels.map((label) => label.name)).toContain('Cat');
  });

  it('pushes Person for a photo of a person, with a bounding box', async () => {
    const image = await client.uploadAndWait(await fixture('astronaut.jpg'), 'astronaut.jpg');

    expect(image.status).toBe('LABELED');
    const person = labelNamed(image, 'Person');
    expect(person, JSON.stringify(image.labels)).toBeDefined();
    expect(person?.instances.length).toBeGreaterThan(0);
    const box = person!.instances[0].boundingBox;
    for (const ratio of [box.left, box.top, box.width, box.height]) {
      expect(ratio).toBeGreaterThanOrEqual(0);
      expect(ratio).toBeLessThanOrEqual(1);
    }
    expect(labelNamed(image, 'Cat')).toBeUndefined();
  });

  it('labels a WebP upload too, though Rekognition reads only JPEG and PNG', async () => {
    // Prepare: a WebP of the cat, with a tweak so its bytes are new to the stack.
    const webp = await sharp(await fixture('cat.jpg')).flop().webp({ quality: 85 }).toBuffer();

    // Act
    const image = await client.uploadAndWait(webp, 'cat.webp');

    // Assess
    expect(image.contentType).toBe('image/webp');
    expect(image.status, image.error ?? '').toBe('LABELED');
    expect(labelNamed(image, 'Cat')?.parents).toEqual(expect.arrayContaining(['Animal', 'Mammal']));
  });

  it('finds images by label, case-insensitively and newest first, and by parent label', async () => {
    const older = await client.uploadAndWait(await fixture('cat.png'), 'older-cat.png');
    const newer = await client.uploadAndWait(await fixture('cat.jpg'), 'newer-cat.jpg');
    await untilSearchable(client, 'Cat', older.id);
    await untilSearchable(client, 'Cat', newer.id);

    const page = await client.imagesByLabel({ label: 'cAT', limit: 50 });
    const ids = page.items.map((image) => image.id);
    expect(ids).toContain(older.id);
    expect(ids).toContain(newer.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    expect(page.items.every((image) => image.labels.some((label) => label.name === 'Cat'))).toBe(true);

    const animals = await client.imagesByLabel({ label: 'Animal', limit: 50 });
    expect(animals.items.map((image) => image.id)).toContain(newer.id);

    const people = await client.imagesByLabel({ label: 'Person', limit: 50 });
    expect(people.items.map((image) => image.id)).not.toContain(newer.id);
  });

  it('pages through results with nextToken', async () => {
    const first = await client.imagesByLabel({ label: 'Cat', limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.nextToken).toBeTruthy();
    const second = await client.imagesByLabel({ label: 'Cat', limit: 1, nextToken: first.nextToken! });
    expect(second.items).toHaveLength(1);
    expect(second.items[0].id).not.toBe(first.items[0].id);
  });

  // The e2e stacks label through the run's vision engine host (LABELCAST_VISION_ENGINE_SOCKET): every label test above
  // would pass as well with an engine of the stack's own, so this checks that the stack's engine is the host's: its
  // model load is the host's one load, to the millisecond, where an engine of its own would report a load of its own.
  it.runIf(inject('visionEngineSocket') !== '')("labels with the run's shared vision engine, whose one model load it reports", async () => {
    // Prepare: a client of the host, as the stack is
    const engine = visionEngineAtHost(socketFromSetting(inject('visionEngineSocket')));

    // Act
    const host = await engine.ready.finally(() => engine.close());
    const stats = await rekognitionStats();

    // Assess
    expect(stats.engineLoadMs).toBe(host.loadMs);
  });
});
