/**
 * Local S3's conditional requests, as S3 answers them: a write-once presigned
 * PUT (`If-None-Match: *` signed into the URL) is refused with 412 once the
 * key holds an object, and reads and copies pinned to an ETag are refused
 * with 412 when the object is another one.
 */
import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import type { LocalCredentials } from '../../local/iam/credentials.ts';
import { objectTargetOf } from '../../local/s3/preconditions.ts';
import { useLocalS3 } from '../support/local-s3.ts';
import { keysNotifiedSince } from './notified-keys.ts';

const bucket = 'labelcast-uploads';
const credentials: LocalCredentials = { accessKeyId: 'LKIAS3CONDITIONAL01', secretAccessKey: 'local-s3-secret-conditional-0123456789ab' };

const localS3 = useLocalS3({
  dirPrefix: 'labelcast-s3-conditional-',
  admin: credentials,
  buckets: [{ name: bucket }],
  clientConfig: { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' },
});
const { events } = localS3;

const client = () => localS3.client();
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const errorCode = async (response: Response) => /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1];

/** A presigned PUT as presign-upload makes it: type, size and `If-None-Match: *` signed. */
const presignWriteOnce = (key: string, contentType: string, length: number) =>
  getSignedUrl(client(), new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: length, IfNoneMatch: '*' }), {
    expiresIn: 300,
    signableHeaders: new Set(['content-type', 'content-length', 'if-none-match']),
  });

const put = (url: string, body: Uint8Array, headers: Record<string, string>) => fetch(url, { method: 'PUT', headers, body: new Uint8Array(body) });

/** The S3 error an SDK call rejects with: its name (code) and HTTP status. */
async function refusal(work: Promise<unknown>): Promise<{ name?: string; status?: number }> {
  try {
    await work;
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return { name, status: $metadata?.httpStatusCode };
  }
  throw new Error('the request was accepted');
}

describe('Local S3: write-once presigned PUT (If-None-Match: *)', () => {
  const first = Buffer.from('first version of the bytes');
  const second = Buffer.from('other version of the bytes');

  it('stores the first PUT and refuses a second one with 412 PreconditionFailed, keeping the first bytes', async () => {
    // Prepare
    const key = 'uploads/write-once';
    const url = await presignWriteOnce(key, 'image/jpeg', first.length);
    const headers = { 'Content-Type': 'image/jpeg', 'If-None-Match': '*' };
    const before = events.length;

    // Act
    const stored = await put(url, first, headers);
    const refused = await put(url, second, headers);

    // Assess
    expect(stored.status).toBe(200);
    expect(refused.status).toBe(412);
    const body = await refused.text();
    expect(body).toContain(
      '<Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition><RequestId>',
    );
    expect(await localS3.s3.readObject(bucket, key)).toEqual(first);
    expect(await keysNotifiedSince(client(), bucket, events, before)).toEqual([key]);
  });

  it('refuses the URL without the signed If-None-Match header (SignatureDoesNotMatch), as S3 does', async () => {
    const key = 'uploads/header-dropped';
    const url = await presignWriteOnce(key, 'image/jpeg', first.length);

    const response = await put(url, first, { 'Content-Type': 'image/jpeg' });

    expect([response.status, await errorCode(response)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await localS3.s3.readObject(bucket, key)).toBeUndefined();
  });

  it('lets exactly one of several concurrent PUTs through', async () => {
    const key = 'uploads/raced';
    const url = await presignWriteOnce(key, 'image/jpeg', first.length);
    const versions = Array.from({ length: 6 }, (_, index) => Buffer.from(`version ${index} of the bytes here`.slice(0, first.length)));

    const statuses = await Promise.all(versions.map((bytes) => put(url, bytes, { 'Content-Type': 'image/jpeg', 'If-None-Match': '*' }).then((r) => r.status)));

    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 412)).toHaveLength(5);
    const kept = await localS3.s3.readObject(bucket, key);
    expect(kept).toEqual(versions[statuses.indexOf(200)]);
  });

  it('accepts the key again once its object is deleted', async () => {
    const key = 'uploads/deleted-then-put';
    const url = await presignWriteOnce(key, 'image/jpeg', first.length);
    const headers = { 'Content-Type': 'image/jpeg', 'If-None-Match': '*' };
    expect((await put(url, first, headers)).status).toBe(200);

    await client().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

    expect((await put(url, second, headers)).status).toBe(200);
    expect(await localS3.s3.readObject(bucket, key)).toEqual(second);
  });
});

describe('Local S3: conditional writes with the SDK', () => {
  it('answers If-None-Match other than * with 501 NotImplemented, and If-Match as S3 does', async () => {
    const sdk = client();
    const key = 'sdk/if-match';
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'one' }));

    expect(await refusal(sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'two', IfNoneMatch: '*' })))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await refusal(sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'two', IfNoneMatch: `"${md5(Buffer.from('x'))}"` })))).toEqual({
      name: 'NotImplemented',
      status: 501,
    });
    expect(await refusal(sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'two', IfMatch: `"${md5(Buffer.from('two'))}"` })))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await refusal(sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'sdk/none', Body: 'two', IfMatch: '"abc"' })))).toEqual({
      name: 'NoSuchKey',
      status: 404,
    });
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'two', IfMatch: `"${md5(Buffer.from('one'))}"` }));
    expect(await localS3.s3.readObject(bucket, key)).toEqual(Buffer.from('two'));
  });
});

describe('Local S3: reads and copies pinned to an ETag', () => {
  const key = 'uploads/pinned';
  const bytes = Buffer.from('the version the event was about');
  const newer = Buffer.from('a version written after the event');

  it('serves GetObject and HeadObject with a matching If-Match, and refuses another ETag with 412', async () => {
    const sdk = client();
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));

    const got = await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${md5(bytes)}"` }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(bytes);
    expect(await refusal(sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${md5(newer)}"` })))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect((await refusal(sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: md5(newer) })))).status).toBe(412);
    expect((await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: md5(bytes) }))).ContentLength).toBe(bytes.length);
  });

  it('copies with a matching x-amz-copy-source-if-match, and refuses another ETag with 412', async () => {
    const sdk = client();
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: newer }));
    const copy = (eTag: string, Key: string) =>
      sdk.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${bucket}/${key}`, CopySourceIfMatch: `"${eTag}"` }));

    expect(await refusal(copy(md5(bytes), 'images/stale'))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await localS3.s3.readObject(bucket, 'images/stale')).toBeUndefined();
    await copy(md5(newer), 'images/current');
    expect(await localS3.s3.readObject(bucket, 'images/current')).toEqual(newer);
    expect(
      await refusal(sdk.send(new CopyObjectCommand({ Bucket: bucket, Key: 'images/other', CopySource: `${bucket}/${key}`, CopySourceIfNoneMatch: md5(newer) }))),
    ).toEqual({ name: 'PreconditionFailed', status: 412 });
  });
});

describe('Local S3: the ETag a pinned request is checked against, after every kind of write', () => {
  // The front keeps each key's current ETag in memory (s3rver-adapter.ts): each write must replace or forget it.
  const key = 'uploads/rewritten';
  const first = Buffer.from('first bytes');
  const second = Buffer.from('second bytes');
  const copied = Buffer.from('bytes copied over it');
  const readPinned = (sdk: S3Client, bytes: Uint8Array) =>
    sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${md5(bytes)}"` })).then(async (got) => Buffer.from(await got.Body!.transformToByteArray()));

  it('follows puts, copies over the key and deletes', async () => {
    // Prepare: the first version, read pinned (its ETag now known to the front)
    const sdk = client();
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: first }));
    expect(await readPinned(sdk, first)).toEqual(first);

    // Act + Assess: a put over it
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: second }));
    expect(await refusal(readPinned(sdk, first))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await readPinned(sdk, second)).toEqual(second);

    // Act + Assess: a copy over it
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'uploads/copy-source', Body: copied }));
    await sdk.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/uploads/copy-source` }));
    expect(await refusal(readPinned(sdk, second))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(await readPinned(sdk, copied)).toEqual(copied);

    // Act + Assess: a delete
    await sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(await refusal(readPinned(sdk, copied))).toEqual({ name: 'NoSuchKey', status: 404 });
  });
});

describe('objectTargetOf', () => {
  it.each([
    ['PUT', '/b/k?x-id=PutObject', {}, 'write'],
    ['PUT', '/b/k?X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&x-id=PutObject', {}, 'write'],
    ['PUT', '/b/k', { 'x-amz-copy-source': 'b/src%20key' }, 'copy'],
    ['PUT', '/b/k?partNumber=1&uploadId=u', {}, 'other'],
    ['POST', '/b/k?uploadId=u', {}, 'write'],
    ['GET', '/b/k?x-id=GetObject', {}, 'read'],
    ['GET', '/b/k?tagging', {}, 'other'],
    ['DELETE', '/b/k', {}, 'delete'],
  ])('%s %s with headers %o is a %s', (method, url, headers, operation) => {
    expect(objectTargetOf(method, url, headers)?.operation).toBe(operation);
  });

  it('decodes the copy source', () => {
    expect(objectTargetOf('PUT', '/b/k', { 'x-amz-copy-source': '/b/src%20key?versionId=1' })?.source).toEqual({ bucket: 'b', key: 'src key' });
  });
});
