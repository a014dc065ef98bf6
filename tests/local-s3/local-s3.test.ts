import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { uploadBucketCors } from '../../api/media.ts';
import type { LocalCredentials } from '../../local/iam/credentials.ts';
import { decodeEventKey } from '../../local/s3/index.ts';
import { maxKeptETagBytes } from '../../local/s3/s3rver-adapter.ts';
import { localS3Region, useLocalS3 } from '../support/local-s3.ts';
import { keysNotifiedSince } from './notified-keys.ts';

const region = localS3Region;
const bucket = 'labelcast-uploads';
const maxObjectBytes = 64 * 1024;
const credentials: LocalCredentials = { accessKeyId: 'LKIAS3TESTKEY000001', secretAccessKey: 'local-s3-secret-0123456789abcdefghijklmn' };
const stranger: LocalCredentials = { accessKeyId: 'LKIASTRANGER0000001', secretAccessKey: 'another-secret-0123456789abcdefghijklmnop' };

const localS3 = useLocalS3({
  dirPrefix: 'labelcast-s3-',
  admin: credentials,
  buckets: [{ name: bucket, cors: uploadBucketCors }],
  maxObjectBytes,
});
const { events } = localS3;

const client = (secret: LocalCredentials = credentials, checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED' = 'WHEN_REQUIRED') =>
  localS3.client(secret, { requestChecksumCalculation: checksums });

const presignPut = (key: string, contentType: string, length: number, options: { secret?: LocalCredentials; expiresIn?: number; signingDate?: Date } = {}) =>
  getSignedUrl(client(options.secret), new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: length }), {
    expiresIn: options.expiresIn ?? 300,
    signableHeaders: new Set(['content-type', 'content-length']),
    ...(options.signingDate ? { signingDate: options.signingDate } : {}),
  });

const put = (url: string, contentType: string, body: Buffer) =>
  fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: new Uint8Array(body) });

const errorCode = async (response: Response) => /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1];

async function waitForEvents(count: number): Promise<void> {
  for (let waited = 0; events.length < count && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('presigned uploads', () => {
  const image = Buffer.from('\xff\xd8\xff\xe0 not really a jpeg but bytes all the same', 'latin1');

  it('stores a presigned PUT and notifies ObjectCreated:Put in the S3 record format', async () => {
    const key = 'uploads/first image (1).jpg';
    const before = events.length;
    const response = await put(await presignPut(key, 'image/jpeg', image.length), 'image/jpeg', image);
    expect(response.status).toBe(200);
    const etag = createHash('md5').update(image).digest('hex');
    expect(response.headers.get('etag')).toBe(`"${etag}"`);

    await waitForEvents(before + 1);
    const [record] = events[before].Records;
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: `AWS:${credentials.accessKeyId}` },
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: 'uploads/first+image+%281%29.jpg', size: image.length, eTag: etag },
      },
    });
    expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(decodeEventKey(record.s3.object.key)).toBe(key);
    expect(await localS3.s3.readObject(bucket, key)).toEqual(image);

    const got = await client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(got.ContentType).toBe('image/jpeg');
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(image);
  });

  it('refuses tampering, other keys, other types and sizes, expiry and anonymous requests', async () => {
    const before = events.length;
    const key = 'uploads/refused.jpg';
    const url = await presignPut(key, 'image/jpeg', image.length);

    const tampered = await put(url.replace(/X-Amz-Signature=(.)/, (_, c: string) => `X-Amz-Signature=${c === 'a' ? 'b' : 'a'}`), 'image/jpeg', image);
    expect([tampered.status, await errorCode(tampered)]).toEqual([403, 'SignatureDoesNotMatch']);

    const otherKey = await put(await presignPut(key, 'image/jpeg', image.length, { secret: stranger }), 'image/jpeg', image);
    expect([otherKey.status, await errorCode(otherKey)]).toEqual([403, 'InvalidAccessKeyId']);

    const otherType = await put(url, 'image/png', image);
    expect([otherType.status, await errorCode(otherType)]).toEqual([403, 'SignatureDoesNotMatch']);

    const longer = await put(url, 'image/jpeg', Buffer.concat([image, Buffer.from('x')]));
    expect([longer.status, await errorCode(longer)]).toEqual([403, 'SignatureDoesNotMatch']);
    const shorter = await put(url, 'image/jpeg', image.subarray(1));
    expect([shorter.status, await errorCode(shorter)]).toEqual([403, 'SignatureDoesNotMatch']);

    const expiredUrl = await presignPut(key, 'image/jpeg', image.length, { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const expired = await put(expiredUrl, 'image/jpeg', image);
    const expiredBody = await expired.text();
    expect(expired.status).toBe(403);
    expect(expiredBody).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>60</X-Amz-Expires>');
    expect(expiredBody).toMatch(/<RequestId>[0-9A-F]+<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);

    const anonymous = await put(`${localS3.endpoint}/${bucket}/${key}`, 'image/jpeg', image);
    expect([anonymous.status, await errorCode(anonymous)]).toEqual([403, 'AccessDenied']);

    expect(await localS3.s3.readObject(bucket, key)).toBeUndefined();
    expect(await keysNotifiedSince(client(), bucket, events, before)).toEqual([]);
  });

  it('refuses a presigned URL whose 1-second validity has passed', async () => {
    // Prepare: signed 2 s ago (the server's own clock decides), so no wait is needed
    const url = await presignPut('uploads/late.jpg', 'image/jpeg', image.length, { expiresIn: 1, signingDate: new Date(Date.now() - 2_000) });

    // Act
    const late = await put(url, 'image/jpeg', image);

    // Assess
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('<Message>Request has expired</Message>');
  });

  it('refuses a presigned URL that gives an authentication parameter twice, naming it (AuthorizationQueryParametersError)', async () => {
    // AWS documents nothing here: reading the first value would accept any value appended after it.
    const key = 'uploads/twice.jpg';
    const url = await presignPut(key, 'image/jpeg', image.length);
    expect((await put(url, 'image/jpeg', image)).status).toBe(200);
    await client().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const date = new URL(url).searchParams.get('X-Amz-Date')!;

    for (const [appended, named] of [
      ['X-Amz-Signature=00', 'X-Amz-Signature'],
      ['x-amz-signature=00', 'x-amz-signature'],
      [`X-Amz-Date=${date}`, 'X-Amz-Date'],
      ['X-Amz-Expires=60', 'X-Amz-Expires'],
      ['X-Amz-Security-Token=a&X-Amz-Security-Token=b', 'X-Amz-Security-Token'],
    ]) {
      const answer = await put(`${url}&${appended}`, 'image/jpeg', image);
      const body = await answer.text();
      expect([answer.status, /<Code>([^<]*)<\/Code>/.exec(body)?.[1]], appended).toEqual([400, 'AuthorizationQueryParametersError']);
      expect(body).toContain(`${named} is given more than once`);
    }
    expect(await localS3.s3.readObject(bucket, key)).toBeUndefined();
  });

  it('refuses a PUT without Content-Length (411) and a declared size over the limit (EntityTooLarge)', async () => {
    const url = new URL(await getSignedUrl(client(), new PutObjectCommand({ Bucket: bucket, Key: 'uploads/chunked.jpg' }), { expiresIn: 300 }));
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(url, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(image);
    });
    expect(chunked.status).toBe(411);
    expect(chunked.body).toContain('<Code>MissingContentLength</Code>');

    const big = Buffer.alloc(maxObjectBytes + 1, 1);
    const tooLarge = await put(await presignPut('uploads/big.jpg', 'image/jpeg', big.length), 'image/jpeg', big);
    expect(tooLarge.status).toBe(400);
    const body = await tooLarge.text();
    expect(body).toContain('<Code>EntityTooLarge</Code>');
    expect(body).toContain(`<ProposedSize>${big.length}</ProposedSize><MaxSizeAllowed>${maxObjectBytes}</MaxSizeAllowed>`);
  });

  it('answers CORS preflights without a signature, for the headers the deployed bucket allows', async () => {
    const preflight = (requestHeaders: string, key = 'uploads/x.jpg') =>
      fetch(`${localS3.endpoint}/${bucket}/${key}`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT', 'access-control-request-headers': requestHeaders },
      });
    const response = await preflight('content-type, if-none-match');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type, if-none-match');
    // AllowedHeaders of infra/upload-bucket.ts (api/media.ts): S3 refuses a preflight asking for any other.
    expect((await preflight('content-type, x-not-allowed')).status).toBe(403);
    // Any key's, one with empty segments too (s3rver's router answered those a plain 404).
    for (const key of ['uploads//x.jpg', '/uploads/x.jpg']) expect((await preflight('content-type', key)).status, key).toBe(200);
  });

  it('answers preflights and requests as the deployed rule does (api/media.ts): PUT and GET only, ETag exposed', async () => {
    const preflight = (origin: string, method: string) =>
      fetch(`${localS3.endpoint}/${bucket}/uploads/x`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method } });
    for (const method of ['DELETE', 'POST', 'HEAD']) {
      const refused = await preflight('https://evil.example', method);
      expect(refused.status, method).toBe(403);
      expect(refused.headers.get('access-control-allow-methods')).toBeNull();
      expect(await refused.text()).toMatch(/<Code>CORSResponse<\/Code><Message>This CORS request is not allowed\./);
    }
    const allowed = await preflight('https://evil.example', 'PUT');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-methods')).toBe(uploadBucketCors.allowedMethods.join(', '));

    // A read's answer, and an error's (a page reads the code of a refused upload), carry the rule's headers only.
    const key = 'uploads/cors.jpg';
    await put(await presignPut(key, 'image/jpeg', image.length), 'image/jpeg', image);
    const read = await fetch(await getSignedUrl(client(), new GetObjectCommand({ Bucket: bucket, Key: key })), { headers: { origin: 'https://gallery.example' } });
    const refusedPut = await fetch(await presignPut(key, 'image/jpeg', image.length), { method: 'PUT', headers: { origin: 'https://gallery.example', 'content-type': 'image/png' }, body: new Uint8Array(image) });
    expect(refusedPut.status).toBe(403);
    for (const answer of [read, refusedPut]) {
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(answer.headers.get('access-control-expose-headers')).toBe(uploadBucketCors.exposedHeaders.join(', '));
      expect(answer.headers.get('access-control-max-age')).toBe(String(uploadBucketCors.maxAgeSeconds));
    }
    // No rule allows DELETE: its answer carries no CORS header, so a page cannot read it.
    const deleted = await fetch(await getSignedUrl(client(), new DeleteObjectCommand({ Bucket: bucket, Key: key })), { method: 'DELETE', headers: { origin: 'https://gallery.example' } });
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers preflights by the bucket CORS rules in force, after PutBucketCors and DeleteBucketCors', async () => {
    // The front keeps a bucket's configuration in memory (s3rver-adapter.ts): a change must reach the next request.
    const preflight = (origin: string) =>
      fetch(`${localS3.endpoint}/${bucket}/uploads/x.jpg`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT' } });
    const sdk = client();
    const rule = (origin: string) => ({ AllowedOrigins: [origin], AllowedMethods: ['PUT'], AllowedHeaders: ['*'] });
    const { CORSRules: before } = await sdk.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect((await preflight('https://elsewhere.example')).status).toBe(200);

    try {
      // Act + Assess: another origin only
      await sdk.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [rule('https://gallery.example')] } }));
      expect((await preflight('https://elsewhere.example')).status).toBe(403);
      expect((await preflight('https://gallery.example')).status).toBe(200);

      // Act + Assess: no CORS configuration at all
      await sdk.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
      expect((await preflight('https://gallery.example')).status).toBe(403);
    } finally {
      await sdk.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: before } }));
    }
    expect((await preflight('https://elsewhere.example')).status).toBe(200);
  });

  it('keeps no configuration for the buckets unsigned preflights name, only for its own', async () => {
    // A preflight needs no credentials: were every bucket name it asks for kept, anyone could grow the process without limit.
    const preflight = (bucketName: string) =>
      fetch(`${localS3.endpoint}/${bucketName}/x.jpg`, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'PUT' } });
    expect((await preflight(bucket)).status).toBe(200);
    const before = localS3.s3.keptCounts().bucketConfigurations;
    expect(before).toBeGreaterThan(0);

    for (let batch = 0; batch < 1000; batch += 50) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => preflight(`no-such-bucket-${batch + index}`)));
      for (const answer of answers) expect(answer.status).toBeLessThan(500);
    }

    expect(localS3.s3.keptCounts().bucketConfigurations).toBe(before);
    expect((await preflight(bucket)).status).toBe(200);
  });
});

describe('header-signed AWS SDK requests', () => {
  it('serves CreateBucket, PutObject, HeadObject, GetObject, ListObjectsV2 and DeleteObject', async () => {
    const sdk = client();
    await sdk.send(new CreateBucketCommand({ Bucket: 'second-bucket' }));
    const key = "dir/ünïcode key+plus&amp='quote'.txt";
    await sdk.send(new PutObjectCommand({ Bucket: 'second-bucket', Key: key, Body: 'hello', ContentType: 'text/plain' }));
    const head = await sdk.send(new HeadObjectCommand({ Bucket: 'second-bucket', Key: key }));
    expect(head.ContentLength).toBe(5);
    const got = await sdk.send(new GetObjectCommand({ Bucket: 'second-bucket', Key: key }));
    expect(await got.Body!.transformToString()).toBe('hello');
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: 'second-bucket', Prefix: 'dir/' }));
    expect(listed.Contents?.map((entry) => entry.Key)).toEqual([key]);
    await sdk.send(new DeleteObjectCommand({ Bucket: 'second-bucket', Key: key }));
    await expect(sdk.send(new HeadObjectCommand({ Bucket: 'second-bucket', Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('gives an in-place copy a new LastModified, as S3 gives every copy (the reconciler ages a re-drive by it)', async () => {
    const sdk = client();
    const key = 'uploads/copied-in-place';
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'copied bytes', ContentType: 'image/jpeg' }));
    const uploaded = (await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).LastModified!;
    // LastModified has whole seconds: a copy can only show a later one from the next second on (real time; the store
    // dates files by the system clock). The margin covers file times lagging the clock by a few milliseconds.
    const nextSecond = uploaded.getTime() + 1000 + 50;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextSecond - Date.now())));
    const copied = await sdk.send(
      new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${key}`, MetadataDirective: 'REPLACE', ContentType: 'image/jpeg', Metadata: { 'redriven-at': 'now' } }),
    );
    const head = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.LastModified!.getTime()).toBeGreaterThan(uploaded.getTime());
    expect(copied.CopyObjectResult?.LastModified?.getTime()).toBe(head.LastModified!.getTime());
    expect(head.Metadata).toEqual({ 'redriven-at': 'now' });
    expect((await localS3.s3.readObject(bucket, key))?.toString()).toBe('copied bytes');
  });

  it('accepts the default client: CRC32 header on buffers, aws-chunked with trailer on streams', async () => {
    const sdk = client(credentials, 'WHEN_SUPPORTED');
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/buffer.txt', Body: Buffer.from('buffer body') }));
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/stream.txt', Body: Readable.from([Buffer.from('stream '), Buffer.from('body')]), ContentLength: 11 }));
    expect((await localS3.s3.readObject(bucket, 'plain/buffer.txt'))?.toString()).toBe('buffer body');
    expect((await localS3.s3.readObject(bucket, 'plain/stream.txt'))?.toString()).toBe('stream body');
    const head = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'plain/stream.txt' }));
    expect(head.ContentEncoding).toBeUndefined();
  });

  it('refuses a wrong secret and a body that does not match x-amz-content-sha256', async () => {
    const failure = await client({ ...credentials, secretAccessKey: 'wrong' })
      .send(new GetObjectCommand({ Bucket: bucket, Key: 'plain/buffer.txt' }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(S3ServiceException);
    expect((failure as S3ServiceException).name).toBe('SignatureDoesNotMatch');

    const pathname = `/${bucket}/plain/hash.txt`;
    const headers = await localS3.signedHeaders(credentials, {
      method: 'PUT',
      path: pathname,
      headers: { 'content-length': '3', 'x-amz-content-sha256': createHash('sha256').update('abc').digest('hex') },
    });
    const response = await fetch(`${localS3.endpoint}${pathname}`, { method: 'PUT', headers, body: 'abd' });
    expect([response.status, await errorCode(response)]).toEqual([400, 'XAmzContentSHA256Mismatch']);
  });
});

describe('S3 limits on keys and metadata', () => {
  const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  const failure = (sent: Promise<unknown>) =>
    sent.then(
      () => undefined,
      (error: unknown) => [(error as S3ServiceException).$metadata.httpStatusCode, (error as S3ServiceException).name],
    );

  it('refuses a key over 1,024 bytes of UTF-8 (KeyTooLongError), for writes and reads', async () => {
    const sdk = client();
    const tooLong = [`long/${'k'.repeat(1020)}`, `long/${'é'.repeat(510)}`];
    for (const key of tooLong) {
      expect(utf8Bytes(key)).toBeGreaterThan(1024);
      expect(await failure(sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })))).toEqual([400, 'KeyTooLongError']);
      expect(await failure(sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).toEqual([400, 'KeyTooLongError']);
    }
    const url = await presignPut(`uploads/${'k'.repeat(1017)}`, 'image/jpeg', 1);
    const refused = await put(url, 'image/jpeg', Buffer.from('x'));
    const body = await refused.text();
    expect(refused.status).toBe(400);
    expect(body).toContain('<Code>KeyTooLongError</Code><Message>Your key is too long</Message><Size>1025</Size><MaxSizeAllowed>1024</MaxSizeAllowed>');
  });

  it('stores, reads, lists and deletes keys whose segments are longer than a file name may be', async () => {
    // A segment of over 255 bytes is no file name; S3 takes any key of up to 1,024 bytes.
    const sdk = client();
    const keys = [
      `long/${'a'.repeat(250)}`,
      `long/${'a'.repeat(250)}/inside`,
      `long/${'b'.repeat(1019)}`,
      `long/${'ü'.repeat(300)}.jpg`,
      `long/${'a'.repeat(200)}`,
      `long/${'a'.repeat(200)}b`,
    ];
    for (const key of keys) {
      expect(utf8Bytes(key)).toBeLessThanOrEqual(1024);
      await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    for (const key of keys) {
      expect(await (await sdk.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString()).toBe(key);
    }

    // In S3's order (bytes of UTF-8), by the keys themselves, with a prefix inside a long segment too.
    const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'long/' }));
    expect(listed.Contents?.map((entry) => entry.Key)).toEqual(sorted);
    const inside = await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `long/${'a'.repeat(230)}` }));
    expect(inside.Contents?.map((entry) => entry.Key)).toEqual([`long/${'a'.repeat(250)}`, `long/${'a'.repeat(250)}/inside`]);
    const folders = await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'long/', Delimiter: '/' }));
    expect(folders.Contents?.map((entry) => entry.Key)).toEqual(sorted.filter((key) => key !== `long/${'a'.repeat(250)}/inside`));
    expect(folders.CommonPrefixes?.map((entry) => entry.Prefix)).toEqual([`long/${'a'.repeat(250)}/`]);
    // Pages by marker (ListObjects) and by continuation token (ListObjectsV2), whose token holds a key of 1,024 bytes.
    const paged = await sdk.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'long/', MaxKeys: 2 }));
    expect(paged.IsTruncated).toBe(true);
    const rest = await sdk.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'long/', Marker: paged.Contents!.at(-1)!.Key }));
    expect([...paged.Contents!, ...rest.Contents!].map((entry) => entry.Key)).toEqual(sorted);
    const pagedV2 = await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'long/', MaxKeys: 3 }));
    const restV2 = await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'long/', ContinuationToken: pagedV2.NextContinuationToken }));
    expect([...pagedV2.Contents!, ...restV2.Contents!].map((entry) => entry.Key)).toEqual(sorted);

    for (const key of keys) await sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect((await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'long/' }))).Contents).toBeUndefined();
  });

  it('refuses more than 2 KB of user metadata, names and values in UTF-8 (MetadataTooLarge)', async () => {
    const sdk = client();
    const metadata = (valueBytes: number) => ({ a: 'x'.repeat(2000), b: 'y'.repeat(valueBytes) });
    // 2 + 2,000 + 46 = 2,048 bytes: the most S3 takes.
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/metadata', Body: 'x', Metadata: metadata(46) }));
    expect((await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'plain/metadata' }))).Metadata?.b).toHaveLength(46);

    expect(await failure(sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/metadata-over', Body: 'x', Metadata: metadata(47) })))).toEqual([
      400,
      'MetadataTooLarge',
    ]);
    const copy = new CopyObjectCommand({ Bucket: bucket, Key: 'plain/metadata', CopySource: `${bucket}/plain/metadata`, MetadataDirective: 'REPLACE', Metadata: metadata(47) });
    expect(await failure(sdk.send(copy))).toEqual([400, 'MetadataTooLarge']);
    expect(await localS3.s3.readObject(bucket, 'plain/metadata-over')).toBeUndefined();
  });

  it('counts no metadata on a request that stores none (DeleteObjects), however many x-amz-meta-* headers it carries', async () => {
    // Prepare: a client that adds 3 KB of metadata headers to every request, before signing
    const sdk = client();
    sdk.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-meta-note'] = 'n'.repeat(3000);
        return next(args);
      },
      { step: 'build' },
    );
    await client().send(new PutObjectCommand({ Bucket: bucket, Key: 'plain/to-delete', Body: 'x' }));

    // Act
    const deleted = await sdk.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'plain/to-delete' }] } }));

    // Assess
    expect(deleted.Deleted?.map((entry) => entry.Key)).toEqual(['plain/to-delete']);
    expect(await localS3.s3.readObject(bucket, 'plain/to-delete')).toBeUndefined();
  });
});

describe('memory', () => {
  it('keeps the ETags of keys read lately within its byte bound, the longest keys included', async () => {
    // Each HEAD with If-Match asks local S3 for the key's current ETag (its precondition), which it then keeps.
    const sdk = client();
    const longKey = (index: number) => `${String(index).padStart(6, '0')}/${'k'.repeat(1000)}`;
    const head = (key: string) => sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: '"0"' })).catch((error: unknown) => error);
    for (let batch = 0; batch < 2100; batch += 50) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => head(longKey(batch + index))));
      for (const answer of answers) expect((answer as S3ServiceException).$metadata?.httpStatusCode).toBe(404);
    }

    const { eTags, eTagBytes } = localS3.s3.keptCounts();
    expect(eTagBytes).toBeLessThanOrEqual(maxKeptETagBytes);
    expect(eTags).toBeGreaterThan(1000);
    expect(eTags).toBeLessThan(2100);
  });
});

describe('persistence', () => {
  it('keeps objects across a restart on the same data directory', async () => {
    const body = Buffer.from('persisted');
    const response = await put(await presignPut('uploads/persist.jpg', 'image/jpeg', body.length), 'image/jpeg', body);
    expect(response.status).toBe(200);
    await localS3.restart();
    expect(await localS3.s3.readObject(bucket, 'uploads/persist.jpg')).toEqual(body);
    expect(await localS3.s3.readObject(bucket, 'uploads/missing.jpg')).toBeUndefined();
    expect(await localS3.s3.readObject(bucket, '../escape')).toBeUndefined();
  });
});
