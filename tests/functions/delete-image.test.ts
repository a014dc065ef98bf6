/**
 * deleteImage (functions/delete-image/delete-image.ts) on a real dynalite and
 * the local S3: the owner's delete removes the item, its search entries, its
 * catalog counts and its objects, once; a repeated delete finds nothing, and
 * someone else's image is left alone and reported as theirs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedOwner } from '../../api/owner.ts';
import { catalogKey, imageKey } from '../../api/table.ts';
import type { Image } from '../../api/types.ts';
import { deleteImage, type DeleteImageDeps } from '../../functions/delete-image/delete-image.ts';
import { completeImage } from '../../functions/shared/image-store.ts';
import { indexEndedImage } from '../../functions/shared/ended-image.ts';
import { imageObjectKeys } from '../../functions/shared/image-objects.ts';
import { labelEntries } from '../../functions/shared/label-index.ts';
import type { LocalS3 } from '../../local/s3/index.ts';
import { startImagesTable, tableName, type ImagesTable } from './images-table.ts';
import { bucket, startUploadsBucket, type UploadsBucket } from './uploads-bucket.ts';

const alice = '0f0e0d0c-aaaa-4bbb-8ccc-000000000001';
const bob = '0f0e0d0c-aaaa-4bbb-8ccc-000000000002';
let table: ImagesTable;
let localS3: LocalS3;
let uploads: UploadsBucket;
let deps: DeleteImageDeps;

beforeAll(async () => {
  table = await startImagesTable();
  uploads = await startUploadsBucket({ maxObjectBytes: 64 * 1024 });
  localS3 = uploads.localS3;
  deps = { store: table.store, s3: uploads.s3, bucket };
});
afterAll(async () => {
  await uploads?.close();
  await table?.close();
});

const logger = new Logger({ serviceName: 'delete-image-test', logLevel: 'SILENT' });
const cat = { name: 'Cat', confidence: 97, parents: ['Animal'], aliases: [], categories: [], instances: [] };
const labelledAt = '2026-01-01T00:00:00.000Z';

/** A LABELED image of `owner`, indexed and counted as the labeler leaves it, with its upload, original and thumbnail. */
async function labelledImage(id: string, owner: string): Promise<Image> {
  const pending: Image = { id, status: 'PENDING', contentType: 'image/jpeg', sizeBytes: 1, createdAt: labelledAt, labels: [], moderationLabels: [], owner };
  await table.store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(id), ...pending } }));
  const stored = await completeImage(table.store, { ...pending, status: 'LABELED', labels: [cat], labeledAt: '2026-01-01T00:00:01.000Z' });
  if (!stored) throw new Error('completeImage lost');
  await indexEndedImage({ store: table.store, publisher: { publish: async () => undefined }, logger }, stored);
  for (const key of imageObjectKeys(id)) await deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'bytes' }));
  return pending;
}

const itemOf = async (key: Record<string, string>) =>
  (await table.store.documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
/** A name's catalog count; a count that reaches 0 is removed. */
const countOf = async (owner: string, name: string): Promise<number> => (await itemOf(catalogKey(owner, name)))?.imageCount ?? 0;
/** What the table holds of a labelledImage: its item and its search entries (their keys follow from its labels). */
const storedOf = async (id: string, owner: string) => {
  const entries = labelEntries({ id, createdAt: labelledAt, labels: [cat], owner }).map(({ pk, sk }) => ({ pk, sk }));
  return (await Promise.all([imageKey(id), ...entries].map(itemOf))).filter((item) => item !== undefined);
};
const storedObjects = async (id: string) =>
  (await Promise.all(imageObjectKeys(id).map((key) => localS3.readObject(bucket, key)))).filter((bytes) => bytes !== undefined);

describe('Function: deleteImage', () => {
  it("removes the owner's image: item, search entries, catalog counts and objects", async () => {
    // Prepare
    await labelledImage('delete-mine', alice);
    expect((await storedOf('delete-mine', alice)).length).toBeGreaterThan(1);
    expect(await storedObjects('delete-mine')).toHaveLength(3);
    const before = { cat: await countOf(alice, 'Cat'), animal: await countOf(alice, 'Animal') };
    expect(before.cat).toBeGreaterThan(0);

    // Act
    const result = await deleteImage(deps, { imageId: 'delete-mine', owner: alice });

    // Assess
    expect(result).toMatchObject({ deleted: { id: 'delete-mine', status: 'LABELED', owner: alice }, notOwner: false });
    expect(await storedOf('delete-mine', alice)).toEqual([]);
    expect(await storedObjects('delete-mine')).toEqual([]);
    expect(await countOf(alice, 'Cat')).toBe(before.cat - 1);
    expect(await countOf(alice, 'Animal')).toBe(before.animal - 1);
  });

  it('uncounts once however many deletes race; the others get nothing', async () => {
    // Prepare
    await labelledImage('delete-race', alice);
    const before = await countOf(alice, 'Cat');
    expect(before).toBeGreaterThan(0);

    // Act
    const results = await Promise.all(Array.from({ length: 4 }, () => deleteImage(deps, { imageId: 'delete-race', owner: alice })));

    // Assess
    expect(results.filter((result) => result.deleted !== null)).toHaveLength(1);
    expect(results.filter((result) => result.deleted === null)).toEqual(Array.from({ length: 3 }, () => ({ deleted: null, notOwner: false })));
    expect(await countOf(alice, 'Cat')).toBe(before - 1);
  });

  it("leaves someone else's image whole and says so (notOwner)", async () => {
    // Prepare
    await labelledImage('delete-alices', alice);
    const entries = (await storedOf('delete-alices', alice)).length;

    // Act
    const byBob = await deleteImage(deps, { imageId: 'delete-alices', owner: bob });
    const byApiKey = await deleteImage(deps, { imageId: 'delete-alices' });

    // Assess
    expect(byBob).toEqual({ deleted: null, notOwner: true });
    expect(byApiKey).toEqual({ deleted: null, notOwner: true });
    expect(await storedOf('delete-alices', alice)).toHaveLength(entries);
    expect(await storedObjects('delete-alices')).toHaveLength(3);
  });

  it('lets the shared API-key space delete an image stored before owners existed (no owner attribute)', async () => {
    // Prepare
    const id = 'delete-ownerless';
    await table.store.documentClient.send(
      new PutCommand({ TableName: tableName, Item: { ...imageKey(id), id, status: 'FAILED', contentType: 'image/jpeg', sizeBytes: 1, createdAt: '2020-01-01T00:00:00.000Z', labels: [], moderationLabels: [] } }),
    );

    // Act
    const result = await deleteImage(deps, { imageId: id, owner: sharedOwner });

    // Assess
    expect(result).toMatchObject({ deleted: { id, status: 'FAILED' }, notOwner: false });
    expect(await itemOf(imageKey(id))).toBeUndefined();
  });

  it('answers NotFound (not notOwner) for an image that does not exist', async () => {
    expect(await deleteImage(deps, { imageId: 'delete-never-existed', owner: alice })).toEqual({ deleted: null, notOwner: false });
  });
});
