/** The project's own resolvers (resolvers/, wired by api/manifest.ts) on the local runtime and a real dynalite. */
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldsByCoordinate, type FieldWiring } from '../../api/manifest.ts';
import { sharedOwner } from '../../api/owner.ts';
import { catalogKey, imageKey } from '../../api/table.ts';
import { labelEntries } from '../../functions/labeler/label-index.ts';
import { matchesSubscriptionFilter } from '../../local/appsync/resolvers/index.ts';
import { fieldArgs, startHarness, tableName, type Harness } from './harness.ts';

let harness: Harness;
/** Writes items as the labeler does. */
let documents: DynamoDBDocumentClient;
const presignCalls: unknown[] = [];

beforeAll(async () => {
  harness = await startHarness(async (name, payload) => {
    presignCalls.push({ name, payload });
    const { objectKey, contentType } = payload as { objectKey: string; contentType: string };
    return {
      uploadUrl: `https://127.0.0.1/bucket/${objectKey}?X-Amz-Signature=test`,
      uploadHeaders: [{ name: 'content-type', value: contentType }],
      expiresAt: '2030-01-01T00:00:00.000Z',
    };
  });
  await harness.runtime.preload([...fieldsByCoordinate.values()]);
  documents = DynamoDBDocumentClient.from(harness.client, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => harness?.close());

const wiring = (coordinate: string): FieldWiring => {
  const found = fieldsByCoordinate.get(coordinate);
  if (!found) throw new Error(`no wiring for ${coordinate}`);
  return found;
};

const put = (item: Record<string, unknown>) => documents.send(new PutCommand({ TableName: tableName, Item: item }));

/** Stores an image and its byLabel entries as the labeler writes them (every threshold, parents, aliases). */
async function storeLabelled(id: string, createdAt: string, label: string, confidence: number) {
  const labels = [{ name: label, confidence, parents: [], aliases: [], categories: [], instances: [] }];
  const image = { id, status: 'LABELED' as const, contentType: 'image/png', sizeBytes: 10, createdAt, labels, moderationLabels: [] };
  for (const entry of labelEntries(image)) await put(entry);
  await put({ ...imageKey(id), ...image });
}

describe('Mutation.requestUpload (pipeline) and Query.image', () => {
  it('records a pending image, presigns through the Lambda data source and reads back', async () => {
    const upload = await harness.runtime.resolveField(
      fieldArgs(wiring('Mutation.requestUpload'), { input: { contentType: 'image/png', sizeBytes: 1234, fileName: 'C:\\photos\\cat.png' } }),
    );
    expect(upload.errors).toEqual([]);
    const ticket = upload.data as { imageId: string; uploadUrl: string; uploadHeaders: unknown[]; expiresAt: string };
    expect(ticket.imageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ticket.uploadUrl).toContain(`uploads/${ticket.imageId}`);
    expect(presignCalls.at(-1)).toEqual({
      name: 'presignUpload',
      payload: { objectKey: `uploads/${ticket.imageId}`, contentType: 'image/png', sizeBytes: 1234 },
    });

    const image = await harness.runtime.resolveField(fieldArgs(wiring('Query.image'), { id: ticket.imageId }));
    expect(image.errors).toEqual([]);
    expect(image.data).toMatchObject({ id: ticket.imageId, status: 'PENDING', sizeBytes: 1234, fileName: 'cat.png', labels: [] });
  });

  it('refuses bad input before any data source runs', async () => {
    const before = presignCalls.length;
    const result = await harness.runtime.resolveField(
      fieldArgs(wiring('Mutation.requestUpload'), { input: { contentType: 'text/plain', sizeBytes: 10 } }),
    );
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      expect.objectContaining({ errorType: 'UnsupportedMediaTypeException', errorInfo: { field: 'contentType' } }),
    ]);
    expect(presignCalls.length).toBe(before);
  });

  it('answers null for an unknown image', async () => {
    expect(await harness.runtime.resolveField(fieldArgs(wiring('Query.image'), { id: 'missing' }))).toEqual({ data: null, errors: [] });
  });
});

describe('Query.imagesByLabel', () => {
  beforeAll(async () => {
    await storeLabelled('i1', '2024-01-01T00:00:00.000Z', 'Cat', 99);
    await storeLabelled('i2', '2024-01-02T00:00:00.000Z', 'cat', 60);
    await storeLabelled('i3', '2024-01-03T00:00:00.000Z', 'CAT', 95);
    await storeLabelled('i4', '2024-01-04T00:00:00.000Z', 'dog', 95);
  });

  const field = () => wiring('Query.imagesByLabel');

  it('lists newest first, case-insensitively, across pages', async () => {
    const first = await harness.runtime.resolveField(fieldArgs(field(), { label: ' Cat ', limit: 2 }));
    expect(first.errors).toEqual([]);
    const page1 = first.data as { items: { id: string }[]; nextToken: string | null };
    expect(page1.items.map((image) => image.id)).toEqual(['i3', 'i2']);
    expect(page1.nextToken).toEqual(expect.any(String));
    const second = await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', limit: 2, nextToken: page1.nextToken }));
    const page2 = second.data as { items: { id: string }[]; nextToken: string | null };
    expect(page2.items.map((image) => image.id)).toEqual(['i1']);
  });

  it('filters by minConfidence, at a threshold and between thresholds', async () => {
    const ids = async (minConfidence: number) =>
      ((await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', minConfidence }))).data as { items: { id: string }[] }).items.map(
        (image) => image.id,
      );
    expect(await ids(90)).toEqual(['i3', 'i1']);
    expect(await ids(96)).toEqual(['i1']);
    expect(await ids(60)).toEqual(['i3', 'i2', 'i1']);
    expect(await ids(60.5)).toEqual(['i3', 'i1']);
    expect(await ids(0)).toEqual(['i3', 'i2', 'i1']);
  });

  it('refuses a tampered nextToken like AppSync', async () => {
    const first = await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', limit: 1 }));
    const token = (first.data as { nextToken: string }).nextToken;
    const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    const result = await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', nextToken: tampered }));
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ errorType: 'DynamoDB:UserIllegalArgumentException' })]);
  });

  it('validates the limit', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', limit: 1000 }));
    expect(result.errors).toEqual([expect.objectContaining({ errorType: 'BadRequestException', errorInfo: { field: 'limit' } })]);
  });
});

describe('Query.labels', () => {
  beforeAll(async () => {
    for (const [name, imageCount] of [['Cat', 3], ['Car', 1], ['Cattle', 2], ['Dog', 5], ['Traffic Light', 1]] as const) {
      await put({ ...catalogKey(sharedOwner, name), name, imageCount });
    }
  });

  const labels = async (args: Record<string, unknown>) => harness.runtime.resolveField(fieldArgs(wiring('Query.labels'), args));

  it('lists names by prefix, case-insensitively and alphabetically, with counts', async () => {
    const result = await labels({ prefix: 'CA' });
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({
      items: [
        { name: 'Car', imageCount: 1 },
        { name: 'Cat', imageCount: 3 },
        { name: 'Cattle', imageCount: 2 },
      ],
      nextToken: null,
    });
  });

  it('lists the whole catalog without a prefix, a page at a time', async () => {
    const first = (await labels({ limit: 3 })).data as { items: { name: string }[]; nextToken: string };
    expect(first.items.map((item) => item.name)).toEqual(['Car', 'Cat', 'Cattle']);
    const second = (await labels({ limit: 3, nextToken: first.nextToken })).data as { items: { name: string }[] };
    expect(second.items.map((item) => item.name)).toEqual(['Dog', 'Traffic Light']);
  });

  it('validates prefix and limit', async () => {
    expect((await labels({ limit: 0 })).errors).toEqual([expect.objectContaining({ errorType: 'BadRequestException', errorInfo: { field: 'limit' } })]);
    expect((await labels({ prefix: 'x'.repeat(101) })).errors).toEqual([
      expect.objectContaining({ errorType: 'BadRequestException', errorInfo: { field: 'prefix' } }),
    ]);
  });
});

describe('Mutation.publishImageLabeled and Subscription.onImageLabeled', () => {
  const published = {
    id: 'img-1', status: 'LABELED', contentType: 'image/png', sizeBytes: 5, fileName: null,
    createdAt: '2024-01-01T00:00:00.000Z', labeledAt: '2024-01-01T00:00:01.000Z', labels: [], moderationLabels: [], error: null,
    owner: sharedOwner,
  };

  it('publishes the input through the NONE data source', async () => {
    const result = await harness.runtime.resolveField(
      fieldArgs(wiring('Mutation.publishImageLabeled'), { input: published }, { accountId: '000000000000', userArn: 'arn:aws:iam::000000000000:user/labeler' }),
    );
    expect(result).toEqual({ data: published, errors: [] });
  });

  it("filters on the caller's owner key, and on imageId when given", async () => {
    const filtered = await harness.runtime.resolveField(fieldArgs(wiring('Subscription.onImageLabeled'), { imageId: 'img-1' }));
    expect(filtered.errors).toEqual([]);
    expect(filtered.subscriptionFilter).toEqual({
      filterGroup: [
        {
          filters: [
            { fieldName: 'owner', operator: 'eq', value: sharedOwner },
            { fieldName: 'id', operator: 'eq', value: 'img-1' },
          ],
        },
      ],
    });
    expect(matchesSubscriptionFilter(filtered.subscriptionFilter, published)).toBe(true);
    expect(matchesSubscriptionFilter(filtered.subscriptionFilter, { ...published, id: 'img-2' })).toBe(false);

    const everyImage = await harness.runtime.resolveField(fieldArgs(wiring('Subscription.onImageLabeled'), {}));
    expect(matchesSubscriptionFilter(everyImage.subscriptionFilter, { ...published, id: 'img-2' })).toBe(true);
    expect(matchesSubscriptionFilter(everyImage.subscriptionFilter, { ...published, owner: 'some-user-sub' })).toBe(false);

    const asUser = await harness.runtime.resolveField(
      fieldArgs(wiring('Subscription.onImageLabeled'), {}, { sub: 'some-user-sub', username: 'someone', defaultAuthStrategy: 'ALLOW' }),
    );
    expect(matchesSubscriptionFilter(asUser.subscriptionFilter, { ...published, owner: 'some-user-sub' })).toBe(true);
    expect(matchesSubscriptionFilter(asUser.subscriptionFilter, published)).toBe(false);
  });
});
