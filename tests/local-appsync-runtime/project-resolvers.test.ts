/** The project's own resolvers (resolvers/, wired by api/manifest.ts) on the local runtime and a real dynalite. */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fieldsByCoordinate, type FieldWiring } from '../../api/manifest.ts';
import { sharedOwner } from '../../api/owner.ts';
import { catalogKey, imageKey } from '../../api/table.ts';
import { labelEntries } from '../../functions/shared/label-index.ts';
import { createResolverRuntime, matchesSubscriptionFilter, type ResolveFieldResult } from '../../local/appsync/resolvers/index.ts';
import { credentials, fieldArgs, region, startHarness, tableName, unitField, type Harness } from './harness.ts';

let harness: Harness;
/** Writes items as the labeler does. */
let documents: DynamoDBDocumentClient;
const presignCalls: unknown[] = [];

beforeAll(async () => {
  harness = await startHarness(async (name, payload) => {
    presignCalls.push({ name, payload });
    if (name === 'deleteImage') throw new Error(`ValidationException: key too large\n    at handler (${process.cwd()}/functions/delete-image/handler.ts:12:3)`);
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

/** What no client may see: DynamoDB's or AppSync's Java wording, stack frames, paths of this machine. */
function expectNoInternals(message: string) {
  expect(message).not.toMatch(/DynamoDB|DynamoDb|Exception:|com\.amazonaws|\(Service:|Request ID|\n\s+at |node_modules|\.ts:\d+/);
  expect(message).not.toContain(process.cwd());
}

/** The field failed with a BadRequestException that names `field` and says `fragment`, and nothing more. */
function expectBadRequest(result: ResolveFieldResult, field: string, fragment: string) {
  expect(result.data).toBeNull();
  expect(result.errors).toEqual([
    expect.objectContaining({ errorType: 'BadRequestException', errorInfo: { field }, message: expect.stringContaining(fragment) }),
  ]);
  expect(result.errors[0]!.message).toContain(field);
  expectNoInternals(result.errors[0]!.message);
}

const put = (item: Record<string, unknown>) => documents.send(new PutCommand({ TableName: tableName, Item: item }));

/** Stores an image and its label entries as the labeler writes them (every threshold, parents, aliases). */
async function storeLabelled(id: string, createdAt: string, label: string, confidence: number) {
  const labels = [{ name: label, confidence, parents: [], aliases: [], categories: [], instances: [] }];
  const image = { id, status: 'LABELED' as const, contentType: 'image/png', sizeBytes: 10, createdAt, labels, moderationLabels: [] };
  for (const entry of labelEntries(image)) await put({ ...entry });
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
    // Stored: the Image fields, its owner and byStatus key, nothing derivable from the id (its object keys: api/media.ts).
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: imageKey(ticket.imageId) }));
    expect(Object.keys(Item ?? {}).sort()).toEqual(['contentType', 'createdAt', 'fileName', 'id', 'labels', 'moderationLabels', 'owner', 'pk', 'recoveryStatus', 'sizeBytes', 'sk', 'status']);
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

  it('refuses a tampered nextToken with a BadRequestException naming nextToken', async () => {
    const first = await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', limit: 1 }));
    const token = (first.data as { nextToken: string }).nextToken;
    const tampered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    expectBadRequest(await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', nextToken: tampered })), 'nextToken', 'nextToken is not a token');
  });

  it.each([
    ['garbage', 'not a token at all'],
    ['three dots', 'a.b.c'],
    ['a forged body', 'eyJ2ZXJzaW9uIjoxfQ.Zm9yZ2Vk'],
    ['4097 characters', 'x'.repeat(4097)],
    ['a control character', 'abc\u0000def'],
  ])('refuses a nextToken that is %s', async (_case, nextToken) => {
    expectBadRequest(await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', nextToken })), 'nextToken', 'nextToken is not a token');
  });

  it("refuses a genuine nextToken of another label's, another threshold's or the catalog's query", async () => {
    const catToken = ((await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', limit: 1 }))).data as { nextToken: string }).nextToken;
    const at60 = await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', minConfidence: 60, limit: 1 }));
    const at60Token = (at60.data as { nextToken: string }).nextToken;
    expect(catToken).toEqual(expect.any(String));
    expect(at60Token).toEqual(expect.any(String));

    expectBadRequest(await harness.runtime.resolveField(fieldArgs(field(), { label: 'dog', nextToken: catToken })), 'nextToken', 'nextToken is not a token');
    expectBadRequest(
      await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', minConfidence: 90, nextToken: at60Token })),
      'nextToken',
      'nextToken is not a token',
    );
    expectBadRequest(await harness.runtime.resolveField(fieldArgs(wiring('Query.labels'), { nextToken: catToken })), 'nextToken', 'nextToken is not a token');
  });

  it.each([1e-300, 1e-131, 1e-130, 1e-7, 0.5])('answers minConfidence %s, which DynamoDB cannot hold exactly or at all, as a search', async (minConfidence) => {
    const result = await harness.runtime.resolveField(fieldArgs(field(), { label: 'cat', minConfidence }));
    expect(result.errors).toEqual([]);
    expect((result.data as { items: { id: string }[] }).items.map((image) => image.id)).toEqual(['i3', 'i2', 'i1']);
  });

  it.each([
    ['minConfidence', { label: 'cat', minConfidence: -0.5 }, 'minConfidence must be between 0 and 100'],
    ['minConfidence', { label: 'cat', minConfidence: 100.5 }, 'minConfidence must be between 0 and 100'],
    ['limit', { label: 'cat', limit: 0 }, 'limit must be between 1 and 100'],
    ['limit', { label: 'cat', limit: -1 }, 'limit must be between 1 and 100'],
    ['label', { label: '   ' }, 'label must be 1 to 100 characters'],
    ['label', { label: 'x'.repeat(101) }, 'label must be 1 to 100 characters'],
    ['label', { label: 'cat\u202e' + 'god' }, 'label must contain only printable characters'],
    ['label', { label: 'c\u0085at' }, 'label must contain only printable characters'],
  ])('refuses a malformed %s: %j', async (argument, args, message) => {
    expectBadRequest(await harness.runtime.resolveField(fieldArgs(field(), args)), argument, message);
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

  it('refuses a tampered, foreign or unprintable nextToken, and an unprintable prefix', async () => {
    const first = (await labels({ limit: 1 })).data as { nextToken: string };
    const tampered = `${first.nextToken.slice(0, -2)}${first.nextToken.endsWith('AA') ? 'BB' : 'AA'}`;
    expectBadRequest(await labels({ nextToken: tampered }), 'nextToken', 'nextToken is not a token');
    expectBadRequest(await labels({ nextToken: '}{' }), 'nextToken', 'nextToken is not a token');
    // The same token, from another owner's catalog: DynamoDB refuses the start key, never pages someone else's names.
    const asUser = await harness.runtime.resolveField(
      fieldArgs(wiring('Query.labels'), { nextToken: first.nextToken }, { sub: 'some-user-sub', username: 'someone', defaultAuthStrategy: 'ALLOW' }),
    );
    expectBadRequest(asUser, 'nextToken', 'nextToken is not a token');
    expectBadRequest(await labels({ prefix: 'ca\u2028' + 't' }), 'prefix', 'prefix must contain only printable characters');
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

describe('Every argument of every field: malformed values get a BadRequestException naming the argument', () => {
  const upload = (input: Record<string, unknown>) =>
    harness.runtime.resolveField(fieldArgs(wiring('Mutation.requestUpload'), { input: { contentType: 'image/png', sizeBytes: 10, ...input } }));

  it.each([
    ['zero', 0],
    ['negative', -5],
  ])('refuses a %s sizeBytes as a bad request, not as too large', async (_case, sizeBytes) => {
    expectBadRequest(await upload({ sizeBytes }), 'sizeBytes', 'sizeBytes must be between 1 and 15728640');
  });

  it('refuses a sizeBytes over 15 MiB as PayloadTooLargeException naming sizeBytes', async () => {
    const result = await upload({ sizeBytes: 15 * 1024 * 1024 + 1 });
    expect(result.errors).toEqual([
      expect.objectContaining({ errorType: 'PayloadTooLargeException', errorInfo: { field: 'sizeBytes' }, message: expect.stringContaining('sizeBytes') }),
    ]);
  });

  it.each([
    ['a right-to-left override (U+202E)', 'photo\u202egpj.exe'],
    ['a left-to-right isolate (U+2066)', 'a\u2066b.png'],
    ['the Arabic letter mark (U+061C)', 'a\u061cb.png'],
    ['a C1 control (U+0085)', 'cat\u0085.png'],
    ['a C1 control (U+009B, CSI)', 'cat\u009b31m.png'],
    ['DEL', 'cat\u007f.png'],
    ['a line separator (U+2028)', 'cat\u2028.png'],
    ['a trailing line separator that trim() would drop', 'cat.png\u2028'],
    ['a paragraph separator (U+2029)', 'cat\u2029dog.png'],
    ['a zero width space', 'ca\u200bt.png'],
    ['a byte order mark', '\ufeffcat.png'],
    ['a tag character (U+E0041)', 'cat\u{e0041}.png'],
    ['an unpaired high surrogate', 'cat\ud83d.png'],
    ['an unpaired low surrogate', 'cat\ude00.png'],
    ['a tab', 'cat\t.png'],
  ])('refuses a fileName with %s', async (_case, fileName) => {
    expectBadRequest(await upload({ fileName }), 'fileName', 'fileName must contain only printable characters');
  });

  it.each([
    ['accents and CJK', 'Café 猫.png'],
    ['an emoji with a ZWJ sequence', 'family 👨‍👩‍👧.png'],
    ['a flag of two regional indicators', 'trip 🇫🇷.jpg'],
    ['combining marks', 'e\u0301te\u0301.png'],
    ['Arabic text (right-to-left by itself, no override)', 'قطة.png'],
  ])('keeps a fileName with %s', async (_case, fileName) => {
    const result = await upload({ fileName });
    expect(result.errors).toEqual([]);
    const image = await harness.runtime.resolveField(fieldArgs(wiring('Query.image'), { id: (result.data as { imageId: string }).imageId }));
    expect((image.data as { fileName: string }).fileName).toBe(fileName);
  });

  it.each([
    ['http to somewhere else', 'http://example.com/hook'],
    ['ftp', 'ftp://example.com/hook'],
    ['a control character', 'https://example.com/ho\u0085ok'],
  ])('refuses a callbackUrl that is %s', async (_case, callbackUrl) => {
    expectBadRequest(await upload({ callbackUrl }), 'callbackUrl', 'callbackUrl must be an https URL');
  });

  it('refuses a contentType Rekognition cannot read, naming contentType', async () => {
    const result = await upload({ contentType: 'image/gif' });
    expect(result.errors).toEqual([
      expect.objectContaining({ errorType: 'UnsupportedMediaTypeException', errorInfo: { field: 'contentType' }, message: expect.stringContaining('contentType') }),
    ]);
  });

  const malformedIds = [
    ['5000 characters', 'a'.repeat(5000)],
    ['129 characters', 'a'.repeat(129)],
    ['empty', ''],
    ['a path', '../images/x'],
    ['a key separator', 'IMAGE#x'],
    ['spaces', ' abc '],
    ['a newline', 'abc\n'],
    ['non-ASCII', 'ima\u0301ge'],
  ] as const;

  it.each(malformedIds)('refuses Query.image with an id of %s, before any read', async (_case, id) => {
    expectBadRequest(await harness.runtime.resolveField(fieldArgs(wiring('Query.image'), { id })), 'id', 'id must be an image id');
  });

  it.each(malformedIds)('refuses Mutation.deleteImage with an id of %s, before the Lambda runs', async (_case, id) => {
    const before = presignCalls.length;
    expectBadRequest(await harness.runtime.resolveField(fieldArgs(wiring('Mutation.deleteImage'), { id })), 'id', 'id must be an image id');
    expect(presignCalls.length).toBe(before);
  });

  it('accepts ids of 128 letters, digits, dashes and underscores', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(wiring('Query.image'), { id: `${'a'.repeat(100)}_0123456789-ABCDEFGHIJKLMNOP` }));
    expect(result).toEqual({ data: null, errors: [] });
  });

  it('refuses a subscription to a malformed imageId, and an empty one', async () => {
    for (const imageId of ['a/b', '', 'x'.repeat(129)]) {
      const result = await harness.runtime.resolveField(fieldArgs(wiring('Subscription.onImageLabeled'), { imageId }));
      expectBadRequest(result, 'imageId', 'imageId must be an image id');
      expect(result.subscriptionFilter).toBeUndefined();
    }
  });

  it('refuses to publish a PENDING image or a malformed id', async () => {
    const iam = { accountId: '000000000000', userArn: 'arn:aws:iam::000000000000:user/labeler' };
    const input = { id: 'img-1', status: 'LABELED', contentType: 'image/png', sizeBytes: 5, createdAt: '2024-01-01T00:00:00.000Z', labels: [], moderationLabels: [] };
    const publish = (overrides: Record<string, unknown>) =>
      harness.runtime.resolveField(fieldArgs(wiring('Mutation.publishImageLabeled'), { input: { ...input, ...overrides } }, iam));
    expectBadRequest(await publish({ status: 'PENDING' }), 'status', 'status must be LABELED or FAILED');
    expectBadRequest(await publish({ id: 'a/b' }), 'id', 'id must be an image id');
    expect((await publish({ status: 'FAILED' })).errors).toEqual([]);
  });
});

describe('Data-source failures reach a client without DynamoDB or Lambda internals', () => {
  /** A runtime whose table does not exist: every DynamoDB call fails with ResourceNotFoundException. */
  const broken = () =>
    createResolverRuntime({
      dynamoDb: { endpoint: harness.endpoint, region, credentials },
      tableNames: { imagesTable: 'no-such-table' },
      invokeLambda: async () => ({}),
      tokenSecret: 'test-secret',
    });

  it.each([
    ['Query.image', { id: 'img-1' }, 'Could not read the image'],
    ['Query.imagesByLabel', { label: 'cat' }, 'Could not search the images'],
    ['Query.labels', {}, 'Could not list the labels'],
    ['Mutation.requestUpload', { input: { contentType: 'image/png', sizeBytes: 10 } }, 'Could not record the upload'],
  ])('%s answers InternalFailure with a message of its own', async (coordinate, args, message) => {
    const result = await broken().resolveField(fieldArgs(wiring(coordinate), args));
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ errorType: 'InternalFailure', message })]);
  });

  it('answers a throttled DynamoDB with ThrottlingException, worth a retry, in words of its own', async () => {
    const throttled = createResolverRuntime({
      dynamoDb: {
        endpoint: harness.endpoint,
        region,
        credentials,
        transport: async () => ({
          statusCode: 400,
          headers: { 'x-amzn-requestid': 'REQ1' },
          body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'Rate of requests exceeds the allowed throughput.' }),
        }),
      },
      tableNames: { imagesTable: tableName },
      invokeLambda: async () => ({}),
      tokenSecret: 'test-secret',
    });
    const result = await throttled.resolveField(fieldArgs(wiring('Query.imagesByLabel'), { label: 'cat' }));
    expect(result.errors).toEqual([expect.objectContaining({ errorType: 'ThrottlingException', message: 'Could not search the images right now; try again' })]);
  });

  it('answers a failed delete Lambda with InternalFailure, not its error text', async () => {
    const result = await harness.runtime.resolveField(fieldArgs(wiring('Mutation.deleteImage'), { id: 'img-1' }));
    expect(result.errors).toEqual([expect.objectContaining({ errorType: 'InternalFailure', message: 'Could not delete the image' })]);
    expectNoInternals(result.errors[0]!.message);
  });

  describe('what the local DynamoDB data source puts in ctx.error (a resolver that passes it on)', () => {
    const passOn = unitField('Query', 'getItem', 'item-get', 'imagesTable');
    const runtimeOn = (endpoint: string, table: string) =>
      createResolverRuntime({ dynamoDb: { endpoint, region, credentials }, tableNames: { imagesTable: table }, invokeLambda: async () => ({}), tokenSecret: 'x' });

    it("words DynamoDB's own answer as AppSync does", async () => {
      const result = await runtimeOn(harness.endpoint, 'no-such-table').resolveField(fieldArgs(passOn, { id: '1' }));
      expect(result.errors).toEqual([
        expect.objectContaining({
          errorType: 'DynamoDB:ResourceNotFoundException',
          message: expect.stringMatching(/ \(Service: DynamoDb, Status Code: 400, Request ID: .+\)$/),
        }),
      ]);
    });

    it('gives no Node text when DynamoDB cannot be reached, only its generic 500', async () => {
      const silenced = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const result = await runtimeOn('http://127.0.0.1:1', tableName).resolveField(fieldArgs(passOn, { id: '1' }));
      silenced.mockRestore();
      expect(result.errors).toEqual([
        { errorType: 'DynamoDB:InternalServerError', message: 'Internal server error (Service: DynamoDb, Status Code: 500, Request ID: local)' },
      ]);
    });
  });
});
