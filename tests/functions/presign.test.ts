/**
 * The presigners (functions/presign-upload, functions/presign-download)
 * against the local S3 and its SigV4 admission: the upload URL takes exactly
 * the signed type, size and write-once header for its key, and expires when
 * api/limits.ts says; download URLs exist for kept originals and thumbnails
 * only.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadLimits } from '../../api/limits.ts';
import { MediaLayout, originalKeyFor, thumbnailKeyFor } from '../../api/media.ts';
import { presignDownload } from '../../functions/presign-download/presign.ts';
import { presignUpload, type UploadTicketParts } from '../../functions/presign-upload/presign.ts';
import type { LocalS3 } from '../../local/s3/index.ts';

import { bucket, startUploadsBucket, type UploadsBucket } from './uploads-bucket.ts';

const bytes = Buffer.from('\xff\xd8\xff\xe0 bytes the URL was signed for', 'latin1');
let localS3: LocalS3;
let s3: S3Client;
let uploads: UploadsBucket;

beforeAll(async () => {
  uploads = await startUploadsBucket({ maxObjectBytes: 64 * 1024 });
  ({ localS3, s3 } = uploads);
});
afterAll(async () => {
  await uploads?.close();
});

const headersOf = (ticket: UploadTicketParts) => Object.fromEntries(ticket.uploadHeaders.map(({ name, value }) => [name, value]));
const putWith = (ticket: UploadTicketParts, body: Buffer, headers: Record<string, string> = headersOf(ticket)) =>
  fetch(ticket.uploadUrl, { method: 'PUT', headers, body: new Uint8Array(body) });
const errorCode = async (response: Response) => /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1];

describe('Function: presignUpload', () => {
  it('signs a URL that stores the declared bytes once, with the headers it hands out, until api/limits.ts TTL', async () => {
    // Prepare
    const now = new Date();
    const request = { objectKey: `${MediaLayout.uploadKeyPrefix}presign-ok`, contentType: 'image/jpeg', sizeBytes: bytes.length };

    // Act
    const ticket = await presignUpload({ s3, bucket, request, now });
    const first = await putWith(ticket, bytes);
    const second = await putWith(ticket, bytes);

    // Assess
    expect(first.status).toBe(200);
    expect([second.status, await errorCode(second)]).toEqual([412, 'PreconditionFailed']);
    expect(await localS3.readObject(bucket, request.objectKey)).toEqual(bytes);
    expect(ticket.expiresAt).toBe(new Date(now.getTime() + UploadLimits.urlTtlSeconds * 1000).toISOString());
    expect(new URL(ticket.uploadUrl).searchParams.get('X-Amz-Expires')).toBe(String(UploadLimits.urlTtlSeconds));
  });

  it('binds type, size and the write-once header: S3 refuses a PUT that differs', async () => {
    // Prepare
    const request = { objectKey: `${MediaLayout.uploadKeyPrefix}presign-bound`, contentType: 'image/jpeg', sizeBytes: bytes.length };
    const ticket = await presignUpload({ s3, bucket, request });
    const { 'If-None-Match': _dropped, ...withoutWriteOnce } = headersOf(ticket);

    // Act
    const otherType = await putWith(ticket, bytes, { ...headersOf(ticket), 'Content-Type': 'image/png' });
    const otherSize = await putWith(ticket, Buffer.concat([bytes, Buffer.from('x')]));
    const overwritable = await putWith(ticket, bytes, withoutWriteOnce);

    // Assess
    for (const refused of [otherType, otherSize, overwritable]) expect([refused.status, await errorCode(refused)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await localS3.readObject(bucket, request.objectKey)).toBeUndefined();
  });

  it('signs URLs that S3 refuses once their TTL has passed', async () => {
    // Prepare: signed one second longer ago than the TTL
    const now = new Date(Date.now() - (UploadLimits.urlTtlSeconds + 1) * 1000);
    const request = { objectKey: `${MediaLayout.uploadKeyPrefix}presign-late`, contentType: 'image/jpeg', sizeBytes: bytes.length };

    // Act
    const late = await putWith(await presignUpload({ s3, bucket, request, now }), bytes);

    // Assess
    expect([late.status, await errorCode(late)]).toEqual([403, 'AccessDenied']);
  });

  it('signs nothing outside the uploads prefix', async () => {
    const request = { objectKey: originalKeyFor('presign-outside'), contentType: 'image/jpeg', sizeBytes: bytes.length };
    await expect(presignUpload({ s3, bucket, request })).rejects.toThrow(/outside uploads\//);
  });
});

describe('Function: presignDownload', () => {
  it('signs GET URLs for kept originals and thumbnails, valid for MediaLayout.readUrlTtlSeconds', async () => {
    // Prepare
    const original = originalKeyFor('presign-download');
    const thumbnail = thumbnailKeyFor('presign-download');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: original, Body: bytes, ContentType: 'image/jpeg' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: thumbnail, Body: Buffer.from('thumb'), ContentType: 'image/webp' }));

    // Act
    const originalUrl = await presignDownload({ s3, bucket, request: { objectKey: original } });
    const thumbnailUrl = await presignDownload({ s3, bucket, request: { objectKey: thumbnail } });

    // Assess
    expect(Buffer.from(await (await fetch(originalUrl)).arrayBuffer())).toEqual(bytes);
    expect(await (await fetch(thumbnailUrl)).text()).toBe('thumb');
    expect(new URL(originalUrl).searchParams.get('X-Amz-Expires')).toBe(String(MediaLayout.readUrlTtlSeconds));
  });

  it.each([
    ['an upload', `${MediaLayout.uploadKeyPrefix}presign-download`],
    ['a prefix alone', MediaLayout.originalKeyPrefix],
    ['a path that climbs out', `${MediaLayout.thumbnailKeyPrefix}../${MediaLayout.uploadKeyPrefix}x`],
    ['no key', undefined],
  ])('signs no URL for %s', async (_what, objectKey) => {
    await expect(presignDownload({ s3, bucket, request: { objectKey: objectKey as string } })).rejects.toThrow(/is not an image or thumbnail key/);
  });
});
