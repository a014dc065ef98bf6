/**
 * The labeler's reads pinned to the S3 event's ETag (functions/labeler/
 * pinned-object.ts), on the local S3 (real conditional requests) and a real
 * dynalite, with a Rekognition stand-in: an event that names other bytes than
 * the object holds, or whose object is replaced while Rekognition reads it,
 * labels nothing; a small upload goes to Rekognition as its pinned bytes.
 * Also: the bytes decide the content type, bytes of no
 * accepted type fail, and an upload for an image that does not exist is
 * deleted. And labelImage's other paths: a size that is not the declared
 * one, a result reused for the same bytes, media that cannot be kept while
 * the image is PENDING, and an image deleted mid-labelling.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DetectLabelsCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originalKeyFor, uploadKeyFor } from '../../api/media.ts';
import { imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { getImage } from '../../functions/shared/image-store.ts';
import { PushDeferredError } from '../../functions/shared/errors.ts';
import { PushSettings } from '../../functions/shared/image-push.ts';
import { labelImage, type LabelerDeps } from '../../functions/labeler/label-image.ts';
import { inlineOriginalMaxBytes } from '../../functions/labeler/rekognition-fit.ts';
import { toDetectMs } from '../../functions/labeler/time-budget.ts';
import type { Publisher } from '../../functions/shared/appsync-publisher.ts';
import type { UploadedObject } from '../../functions/shared/uploaded-object.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import type { LocalS3 } from '../../local/s3/index.ts';
import { fixture } from '../support/fixtures.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';
import { bucket, startUploadsBucket, type UploadsBucket } from './uploads-bucket.ts';

let table: ImagesTable;
let store: TableStore;
let localS3: LocalS3;
let s3: S3Client;
let uploads: UploadsBucket;

beforeAll(async () => {
  table = await startImagesTable();
  store = table.store;
  uploads = await startUploadsBucket();
  ({ localS3, s3 } = uploads);
});
afterAll(async () => {
  await uploads?.close();
  await table?.close();
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** A cat JPEG over inlineOriginalMaxBytes (comment segments pad it): Rekognition reads it from S3 instead of being sent its bytes. */
async function largeCat(): Promise<Buffer> {
  let jpeg = jpegVariant(await fixture('cat.jpg'));
  while (jpeg.byteLength <= inlineOriginalMaxBytes) jpeg = jpegVariant(jpeg, 'x'.repeat(60_000));
  return jpeg;
}

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
  s3.send(new PutObjectCommand({ Bucket: bucket, Key: uploadKeyFor(id), Body: bytes, ContentType: contentType }));

/** An S3 client that refuses every copy (to the kept original's key) and serves the rest from the test bucket. */
const copyRefusingS3 = (): S3Client =>
  ({
    send: (command: object) =>
      command instanceof CopyObjectCommand ? Promise.reject(new Error('SlowDown: copy refused')) : s3.send(command as GetObjectCommand),
  }) as unknown as S3Client;

const eventFor = (id: string, bytes: Uint8Array, eTag = md5(bytes)): UploadedObject => ({
  bucket,
  key: uploadKeyFor(id),
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
    // Prepare: uploads Rekognition reads from S3 (too large to be sent as bytes), and its own read of the
    // object (no ETag possible) happens after another PUT
    const cat = await largeCat();
    const swapped = await largeCat();
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

  it("hands Rekognition a small upload's own pinned bytes, with no check of the object after detection", async () => {
    // Prepare: an S3 client that records what the labeler asks of it
    const cat = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('small-as-bytes', cat);
    await upload('small-as-bytes', cat);
    const images: unknown[] = [];
    const rekognition = {
      send: async (command: DetectLabelsCommand) => {
        images.push(command.input.Image);
        return command instanceof DetectLabelsCommand ? { Labels: [] } : { ModerationLabels: [] };
      },
    } as unknown as RekognitionClient;
    const s3Requests: string[] = [];
    const recordingS3 = { send: (command: object) => (s3Requests.push(command.constructor.name), s3.send(command as GetObjectCommand)) } as unknown as S3Client;
    const deps = { ...depsWith(rekognition), s3: recordingS3 };

    // Act
    const outcome = await labelImage(deps, eventFor('small-as-bytes', cat));

    // Assess: both calls got the bytes the pinned GET read; no HeadObject followed
    expect(outcome).toBe('labeled');
    expect(images).toHaveLength(2);
    for (const image of images) expect(Buffer.from((image as { Bytes: Uint8Array }).Bytes).equals(cat)).toBe(true);
    expect(s3Requests).toContain('GetObjectCommand');
    expect(s3Requests).not.toContain('HeadObjectCommand');
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
    expect(await localS3.readObject(bucket, uploadKeyFor('deleted-image'))).toBeUndefined();
  });
});

describe('Function: labelImage, other paths', () => {
  it('fails an upload whose size is not the declared one, without asking Rekognition or keeping it', async () => {
    // Prepare: declared one byte fewer than the event reports
    const cat = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('size-mismatch', cat.subarray(1));
    await upload('size-mismatch', cat);
    const { rekognition, calls } = fakeRekognition();
    const deps = depsWith(rekognition);

    // Act
    const outcome = await labelImage(deps, eventFor('size-mismatch', cat));

    // Assess
    expect(outcome).toBe('failed');
    expect(await getImage(store, 'size-mismatch')).toMatchObject({ status: 'FAILED', error: `uploaded ${cat.length} bytes, declared ${cat.length - 1}` });
    expect(calls).toEqual([]);
    expect(deps.published).toEqual(['size-mismatch']);
    expect(await localS3.readObject(bucket, originalKeyFor('size-mismatch'))).toBeUndefined();
  });

  it("reuses the owner's stored result for the same bytes: one detection for two uploads", async () => {
    // Prepare
    const cat = jpegVariant(await fixture('cat.jpg'));
    for (const id of ['reuse-first', 'reuse-second']) {
      await pendingImage(id, cat);
      await upload(id, cat);
    }
    const { rekognition, calls } = fakeRekognition();
    const deps = depsWith(rekognition);

    // Act
    const first = await labelImage(deps, eventFor('reuse-first', cat));
    const callsForFirst = calls.length;
    const second = await labelImage(deps, eventFor('reuse-second', cat));

    // Assess
    expect([first, second]).toEqual(['labeled', 'labeled']);
    expect(callsForFirst).toBeGreaterThan(0);
    expect(calls).toHaveLength(callsForFirst);
    const [a, b] = await Promise.all([getImage(store, 'reuse-first'), getImage(store, 'reuse-second')]);
    expect(b?.labels).toEqual(a?.labels);
    expect(b?.labels.map((label) => label.name)).toContain('Cat');
    expect(deps.published).toEqual(['reuse-first', 'reuse-second']);
  });

  it('leaves the image PENDING and unpushed when its original cannot be kept, so the retry does it again', async () => {
    // Prepare: an S3 that refuses the copy to the kept key
    const cat = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('media-fails', cat);
    await upload('media-fails', cat);
    const refusingCopy = copyRefusingS3();
    const deps = { ...depsWith(fakeRekognition().rekognition), s3: refusingCopy };

    // Act
    const run = labelImage(deps, eventFor('media-fails', cat));

    // Assess
    await expect(run).rejects.toThrow('SlowDown: copy refused');
    expect((await getImage(store, 'media-fails'))?.status).toBe('PENDING');
    expect(deps.published).toEqual([]);
  });

  it('stores the detection of an image whose original could not be kept, so the retry reuses it: Rekognition is paid once', async () => {
    // Prepare: the first run's copy to the kept key is refused; the retry's S3 works
    const cat = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('media-fails-saved', cat);
    await upload('media-fails-saved', cat);
    const refusingCopy = copyRefusingS3();
    const { rekognition, calls } = fakeRekognition();
    const deps = depsWith(rekognition);

    // Act
    const first = await labelImage({ ...deps, s3: refusingCopy }, eventFor('media-fails-saved', cat)).catch((error: unknown) => error);
    const detectionsBeforeRetry = calls.filter((call) => call === 'DetectLabelsCommand').length;
    const retry = await labelImage(deps, eventFor('media-fails-saved', cat));

    // Assess
    expect(first).toMatchObject({ message: 'SlowDown: copy refused' });
    expect(detectionsBeforeRetry).toBe(1);
    expect(retry).toBe('labeled');
    expect(calls.filter((call) => call === 'DetectLabelsCommand')).toHaveLength(1);
    expect(deps.published).toEqual(['media-fails-saved']);
  });

  it('leaves the image PENDING and unpushed when too little of the invocation is left to push it, so the retry labels it', async () => {
    // Prepare: time enough to start the detection, then less than endMarginMs left once it is over (enough for the publish alone)
    const cat = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('short-of-time', cat);
    await upload('short-of-time', cat);
    let left = toDetectMs;
    const slow = fakeRekognition(async () => void (left = PushSettings.endMarginMs - 1));
    const deps = { ...depsWith(slow.rekognition), remainingTimeMs: () => left };

    // Act
    const run = labelImage(deps, eventFor('short-of-time', cat));

    // Assess: deferred before the terminal write; nothing ended, nothing pushed
    await expect(run).rejects.toBeInstanceOf(PushDeferredError);
    expect(slow.calls).toContain('DetectLabelsCommand');
    expect((await getImage(store, 'short-of-time'))?.status).toBe('PENDING');
    expect(deps.published).toEqual([]);
  });

  it('pushes nothing and discards the kept media of an image deleted while it was being labelled', async () => {
    // Prepare: the image item is deleted while Rekognition reads the object
    const cat = jpegVariant(await fixture('cat.jpg'));
    await pendingImage('deleted-midway', cat);
    await upload('deleted-midway', cat);
    const { rekognition } = fakeRekognition(async () => {
      await store.documentClient.send(new DeleteCommand({ TableName: tableName, Key: imageKey('deleted-midway') }));
    });
    const deps = depsWith(rekognition);

    // Act
    const outcome = await labelImage(deps, eventFor('deleted-midway', cat));

    // Assess
    expect(outcome).toBe('duplicate');
    expect(await getImage(store, 'deleted-midway')).toBeUndefined();
    expect(deps.published).toEqual([]);
    expect(await localS3.readObject(bucket, originalKeyFor('deleted-midway'))).toBeUndefined();
  });
});
