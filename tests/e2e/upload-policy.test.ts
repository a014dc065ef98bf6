/**
 * What requestUpload accepts, and what the presigned URL lets through: local
 * S3 checks the signature, expiry, key, content type and size as S3 does,
 * and the URL is write-once (If-None-Match: * signed into it).
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, inject, it } from 'vitest';
import { fixture, labelcastClient } from '../support/amplify-client.ts';
import { stackCredentials } from '../../local/child-process-stack.ts';

const client = labelcastClient();

async function requestUploadError(input: { contentType: string; sizeBytes: number; fileName?: string }) {
  try {
    await client.requestUpload(input);
  } catch (error) {
    return (error as { errors: { errorType: string; message: string }[] }).errors[0];
  }
  throw new Error(`requestUpload accepted ${JSON.stringify(input)}`);
}

const s3ErrorCode = async (response: Response) => /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];

describe('requestUpload: input checks', () => {
  it.each([
    [{ contentType: 'image/gif', sizeBytes: 100 }, 'UnsupportedMediaTypeException'],
    [{ contentType: 'text/plain', sizeBytes: 100 }, 'UnsupportedMediaTypeException'],
    [{ contentType: 'image/jpeg', sizeBytes: 15 * 1024 * 1024 + 1 }, 'PayloadTooLargeException'],
    [{ contentType: 'image/jpeg', sizeBytes: 0 }, 'BadRequestException'],
    [{ contentType: 'image/jpeg', sizeBytes: -5 }, 'BadRequestException'],
    [{ contentType: 'image/jpeg', sizeBytes: 10, fileName: '../..' }, 'BadRequestException'],
    [{ contentType: 'image/jpeg', sizeBytes: 10, fileName: 'a\u0007b.jpg' }, 'BadRequestException'],
  ])('refuses %j with %s', async (input, errorType) => {
    expect(await requestUploadError(input)).toMatchObject({ errorType });
  });

  it('returns a ticket valid for five minutes with the headers to send', async () => {
    const before = Date.now();
    const ticket = await client.requestUpload({ contentType: 'image/png', sizeBytes: 1234, fileName: 'dir/../x.png' });
    expect(ticket.uploadHeaders).toEqual([
      { name: 'Content-Type', value: 'image/png' },
      { name: 'If-None-Match', value: '*' },
    ]);
    const after = Date.now();
    // Signed some time between the call and its answer (a cold start may take seconds), valid 300 s from then.
    const expiresAt = Date.parse(ticket.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before - 1_000 + 300_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 1_000 + 300_000);
    const url = new URL(ticket.uploadUrl);
    expect(url.pathname).toMatch(new RegExp(`/uploads/${ticket.imageId}$`));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match');
    const image = await client.image(ticket.imageId);
    expect(image).toMatchObject({ status: 'PENDING', fileName: 'x.png', sizeBytes: 1234 });
  });
});

describe('Presigned upload URL: local S3 enforces it', () => {
  /** PUTs with the ticket's headers (If-None-Match among them), the Content-Type replaced. */
  const put = (url: string, body: Uint8Array, contentType: string) =>
    fetch(url, { method: 'PUT', headers: { 'Content-Type': contentType, 'If-None-Match': '*' }, body: new Uint8Array(body) });

  it('refuses a tampered signature', async () => {
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    const url = new URL(ticket.uploadUrl);
    const signature = url.searchParams.get('X-Amz-Signature')!;
    url.searchParams.set('X-Amz-Signature', `${signature[0] === 'a' ? 'b' : 'a'}${signature.slice(1)}`);
    const response = await put(url.toString(), bytes, 'image/jpeg');
    expect(response.status).toBe(403);
    expect(await s3ErrorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses another key with the same signature', async () => {
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    const url = new URL(ticket.uploadUrl);
    url.pathname = url.pathname.replace(ticket.imageId, 'someone-elses-image');
    const response = await put(url.toString(), bytes, 'image/jpeg');
    expect(response.status).toBe(403);
    expect(await s3ErrorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses another content type', async () => {
    const bytes = await fixture('cat.png');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    const response = await put(ticket.uploadUrl, bytes, 'image/png');
    expect(response.status).toBe(403);
    expect(await s3ErrorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses more or fewer bytes than declared', async () => {
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength - 100 });
    const bigger = await put(ticket.uploadUrl, bytes, 'image/jpeg');
    expect(bigger.status).toBe(403);
    const smaller = await put(ticket.uploadUrl, bytes.subarray(0, 1000), 'image/jpeg');
    expect(smaller.status).toBe(403);
  });

  it('refuses an expired URL', async () => {
    // A URL signed by the local account that expired a minute ago, as the presign Lambda would sign it.
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: new URL(ticket.uploadUrl).origin,
      credentials: stackCredentials(inject('stateDir')),
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: 'labelcast-uploads',
        Key: `uploads/${ticket.imageId}`,
        ContentType: 'image/jpeg',
        ContentLength: bytes.byteLength,
        IfNoneMatch: '*',
      }),
      { expiresIn: 60, signingDate: new Date(Date.now() - 120_000), signableHeaders: new Set(['content-type', 'content-length', 'if-none-match']) },
    );
    const response = await put(url, bytes, 'image/jpeg');
    expect(response.status).toBe(403);
    expect(await s3ErrorCode(response)).toBe('AccessDenied');
  });

  it('accepts the ticket as issued (sanity check for the refusals above)', async () => {
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    const response = await put(ticket.uploadUrl, bytes, 'image/jpeg');
    expect(response.status).toBe(200);
  });

  it('refuses the URL without its If-None-Match header, as S3 refuses a request missing a signed header', async () => {
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    const response = await fetch(ticket.uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/jpeg' }, body: new Uint8Array(bytes) });
    expect(response.status).toBe(403);
    expect(await s3ErrorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('is write-once: a second PUT is refused with 412 PreconditionFailed', async () => {
    const bytes = await fixture('cat.jpg');
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength });
    expect((await put(ticket.uploadUrl, bytes, 'image/jpeg')).status).toBe(200);
    const again = await put(ticket.uploadUrl, bytes, 'image/jpeg');
    expect(again.status).toBe(412);
    expect(await s3ErrorCode(again)).toBe('PreconditionFailed');
  });
});
