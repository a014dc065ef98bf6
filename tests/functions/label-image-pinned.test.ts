/**
 * The labeler's reads pinned to the S3 event's ETag (functions/labeler/
 * pinned-object.ts), on the local S3 (real conditional requests) and a real
 * dynalite, with a Rekognition stand-in: an event that names other bytes than
 * the object holds, or whose object is replaced while Rekognition reads it,
 * labels nothing. Also: the bytes decide the content type, bytes of no
 * accepted type fail, and an upload for an image that does not exist is
 * deleted.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DetectLabelsCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originalKeyFor } from '../../api/media.ts';
import { imageKey, objectKeyFor } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { getImage } from '../../functions/labeler/image-store.ts';
import { labelImage, type LabelerDeps } from '../../functions/labeler/label-image.ts';
import type { Publisher } from '../../functions/labeler/publish.ts';
import type { UploadedObject } from '../../functions/labeler/uploaded-object.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startLocalS3, type LocalS3 } from '../../local/s3/index.ts';
import { fixture } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { credentials, region, startImagesTable, tableName, type ImagesTable } from './images-table.ts';

const bucket = 'labelcast-uploads';
let table: ImagesTable;
let store: TableStore;
let localS3: LocalS3;
let s3: S3Client;
let dataDir: string;

beforeAll(async () => {
  table = await startImagesTable();
  store = table.store;
  dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-pinned-'));
  localS3 = await startLocalS3({
    dataDir,
    port: 0,
    region,
    credentials: credentialStore(credentials),
    buckets: [{ name: bucket }],
    maxObjectBytes: 1024 * 1024,
    onObjectCreated: () => undefined,
  });
  s3 = new S3Client({ endpoint: localS3.endpoint, region, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
});
afterAll(async () => {
  await localS3?.close();
  await table?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** A Rekognition that sees a cat; `whileReading` runs before it answers DetectLabels, as if it were reading the object then. */
function fakeRekognition(whileReading?: () => Promise<void>) {
  const calls: string[] = [];
  const client = {
    send: async (command: object) => {
      calls.push(command.constructor.name);
      if (command instanceof DetectLabelsCommand) {
        await whileReading?.();
        return { Labels: [{ Name: 'Cat', Confidence: 99, Parents: [], Aliases: [], Categories: [], Instances: [] }] };
      }
      return { ModerationLabels: [] };
    },
  };
  return { rekognition: client as unknown as RekognitionClient, calls };
}

function depsWith(rekognition: RekognitionClient): LabelerDeps & { readonly published: string[] } {
  const published: string[] = [];
  const publisher: Publisher = { publish: async (image) => void published.push(image.id) };
  return { store, rekognition, s3, publisher, logger: new Logger({ logLevel: 'SILENT' }), published };
}

async function pendingImage(id: string, bytes: Uint8Array, contentType = 'image/jpeg'): Promise<void> {
  const image: Image = { id, status: 'PENDING', contentType, sizeBytes: bytes.length, createdAt: new Date().toISOString(), labels: [], moderationLabels: [] };
  await store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...image, owner: 'API_KEY' } }));
}

const upload = (id: string, bytes: Uint8Array, contentType = 'image/jpeg') =>
  s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKeyFor(id), Body: bytes, ContentType: contentType }));

const eventFor = (id: string, bytes: Uint8Array, eTag = md5(bytes)): UploadedObject => ({
  bucket,
  key: objectKeyFor(id),
  imageId: id,
  sizeBytes: bytes.length,
  eTag,
});

describe('Function: labelImage, reads pinned to the event ETag', () => {
  it('labels nothing for an event that names other bytes than the object holds', async () => {
    // Prepare: the object is another cat than the one the event is about
    const cat = jpegVariant(await fixture('cat.jpg'));
    const other = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('stale-event', cat);
    await upload('stale-event', other);
    const { rekognition, calls } = fakeRekognition();
    const deps = depsWith(rekognition);

    // Act
    const outcome = await labelImage(deps, eventFor('stale-event', cat));

    // Assess: the pinned read refused, so Rekognition was not even asked
    expect(outcome).toBe('stale');
    expect(calls).toEqual([]);
    expect((await getImage(store, 'stale-event'))?.status).toBe('PENDING');
    expect(await localS3.readObject(bucket, originalKeyFor('stale-event'))).toBeUndefined();
    expect(deps.published).toEqual([]);
  });

  it('labels nothing when the object is replaced while Rekognition reads it', async () => {
    // Prepare: Rekognition's own read of the object (no ETag possible) happens after another PUT
    const cat = jpegVariant(await fixture('cat.jpg'));
    const swapped = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('swapped-mid-detection', cat);
    await upload('swapped-mid-detection', cat);
    const { rekognition, calls } = fakeRekognition(async () => void (await upload('swapped-mid-detection', swapped)));
    const deps = depsWith(rekognition);

    // Act
    const outcome = await labelImage(deps, eventFor('swapped-mid-detection', cat));

    // Assess
    expect(calls).toContain('DetectLabelsCommand');
    expect(outcome).toBe('stale');
    expect((await getImage(store, 'swapped-mid-detection'))?.status).toBe('PENDING');
    expect(deps.published).toEqual([]);
  });

  it("labels the event's version, and keeps a JPEG declared image/png as image/jpeg", async () => {
    // Prepare
    const cat = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('declared-png', cat, 'image/png');
    await upload('declared-png', cat, 'image/png');
    const deps = depsWith(fakeRekognition().rekognition);

    // Act
    const outcome = await labelImage(deps, eventFor('declared-png', cat));

    // Assess
    expect(outcome).toBe('labeled');
    expect(await getImage(store, 'declared-png')).toMatchObject({ status: 'LABELED', contentType: 'image/jpeg' });
    const kept = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: originalKeyFor('declared-png') }));
    expect(kept.ContentType).toBe('image/jpeg');
    expect(Buffer.from(await kept.Body!.transformToByteArray()).equals(cat)).toBe(true);
    expect(deps.published).toEqual(['declared-png']);
  });

  it('fails bytes that are no JPEG, PNG or WebP, naming the declared type', async () => {
    const text = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>');
    await pendingImage('not-an-image', text, 'image/png');
    await upload('not-an-image', text, 'image/png');
    const { rekognition, calls } = fakeRekognition();
    const deps = depsWith(rekognition);

    const outcome = await labelImage(deps, eventFor('not-an-image', text));

    expect(outcome).toBe('failed');
    expect((await getImage(store, 'not-an-image'))?.error).toBe(
      'InvalidImageFormatException: the uploaded bytes are not a JPEG, PNG or WebP image (declared image/png)',
    );
    expect(calls).toEqual([]);
  });

  it('deletes an upload for an image that does not exist (deleted while its URL was valid)', async () => {
    const cat = jpegVariant(await fixture('cat.jpg'));
    await upload('deleted-image', cat);
    const deps = depsWith(fakeRekognition().rekognition);

    const outcome = await labelImage(deps, eventFor('deleted-image', cat));

    expect(outcome).toBe('unknown-image');
    expect(await localS3.readObject(bucket, objectKeyFor('deleted-image'))).toBeUndefined();
  });
});
