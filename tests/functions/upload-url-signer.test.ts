/**
 * functions/presign-upload/upload-url-signer.ts: the URLs it signs from the
 * shape of the SDK's first URL are getSignedUrl's own, byte for byte, over
 * keys that need encoding, types, sizes, dates, expiries and endpoint styles
 * (AWS's virtual-hosted endpoint, a custom host, an IP address, path style);
 * a client whose URLs have another shape is signed by the SDK every time.
 */
import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { encodeKeyPath, signUploadUrl, signsFromShape, uploadSignedHeaders, type UploadUrlRequest } from '../../functions/presign-upload/upload-url-signer.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const client = (config: S3ClientConfig = {}) => new S3Client({ region: 'us-east-1', credentials, requestChecksumCalculation: 'WHEN_REQUIRED', ...config });

const sdkUrl = (s3: S3Client, request: UploadUrlRequest) =>
  getSignedUrl(
    s3,
    new PutObjectCommand({ Bucket: request.bucket, Key: request.key, ContentType: request.contentType, ContentLength: request.contentLength, IfNoneMatch: request.ifNoneMatch }),
    { expiresIn: request.expiresIn, signingDate: request.signingDate, signableHeaders: new Set(uploadSignedHeaders) },
  );

const keys = [
  'uploads/3f1c9a0e-1b2c-4d5e-8f90-123456789abc',
  'uploads/with space+plus=equals&amp',
  "uploads/!'()*~-_.",
  'uploads/ünïcödé/日本/😀',
  'uploads/a%2Fb/%/?#[]@$,;:',
  'uploads//double//slash/',
];
const requestFor = (key: string, index: number): UploadUrlRequest => ({
  bucket: 'labelcast-uploads',
  key,
  contentType: index % 2 === 0 ? 'image/jpeg' : 'image/png; charset="x"',
  contentLength: 1 + index * 997_531,
  ifNoneMatch: '*',
  expiresIn: 300 + index,
  signingDate: new Date(Date.UTC(2026, 10, 30, 12, index, index * 7)),
});

describe('Function: signUploadUrl', () => {
  const endpoints: [string, S3ClientConfig][] = [
    ['AWS virtual-hosted', {}],
    ['a custom host (the local stack)', { endpoint: 'https://localhost:4569' }],
    ['an IP address', { endpoint: 'https://127.0.0.1:4569' }],
    ['path style', { endpoint: 'https://s3.example.test', forcePathStyle: true }],
    ['another region', { region: 'eu-west-1' }],
  ];
  it.each(endpoints)('signs what getSignedUrl signs, from the second URL on: %s', async (_name, config) => {
    // Prepare
    const s3 = client(config);
    const reference = client(config);

    // Act: the first URL is the SDK's and teaches the shape; the rest come from it
    const urls = [];
    for (const [index, key] of keys.entries()) urls.push(await signUploadUrl(s3, requestFor(key, index)));

    // Assess
    expect(signsFromShape(s3, 'labelcast-uploads')).toBe(true);
    for (const [index, key] of keys.entries()) expect(urls[index]).toBe(await sdkUrl(reference, requestFor(key, index)));
  });

  it('learns a shape per bucket', async () => {
    const s3 = client({ endpoint: 'https://localhost:4569' });
    await signUploadUrl(s3, requestFor(keys[0], 0));
    const other = { ...requestFor(keys[1], 1), bucket: 'other-bucket' };
    expect(await signUploadUrl(s3, other)).toBe(await sdkUrl(client({ endpoint: 'https://localhost:4569' }), other));
    expect(await signUploadUrl(s3, { ...other, key: keys[2] })).toBe(await sdkUrl(client({ endpoint: 'https://localhost:4569' }), { ...other, key: keys[2] }));
  });

  it('leaves a client whose URLs carry more (a checksum parameter) to getSignedUrl', async () => {
    // Prepare: WHEN_SUPPORTED adds an x-amz-checksum query parameter the known shape does not have
    const s3 = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    const reference = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });

    // Act
    const first = await signUploadUrl(s3, requestFor(keys[0], 0));
    const second = await signUploadUrl(s3, requestFor(keys[1], 1));

    // Assess
    expect(signsFromShape(s3, 'labelcast-uploads')).toBe(false);
    expect(first).toBe(await sdkUrl(reference, requestFor(keys[0], 0)));
    expect(second).toBe(await sdkUrl(reference, requestFor(keys[1], 1)));
  });

  it('leaves a client whose signed request differs from what its URL shows (another Host header) to getSignedUrl', async () => {
    // Prepare: a middleware signs for another host than the URL's, so the shape alone would sign other URLs
    const proxied = () => {
      const s3 = client();
      s3.middlewareStack.add(
        (next) => (args) => {
          (args.request as { headers: Record<string, string> }).headers.host = 'proxy.example';
          return next(args);
        },
        { step: 'build', priority: 'low' },
      );
      return s3;
    };
    const s3 = proxied();

    // Act
    const first = await signUploadUrl(s3, requestFor(keys[0], 0));
    const second = await signUploadUrl(s3, requestFor(keys[1], 1));

    // Assess
    expect(signsFromShape(s3, 'labelcast-uploads')).toBe(false);
    expect(first).toBe(await sdkUrl(proxied(), requestFor(keys[0], 0)));
    expect(second).toBe(await sdkUrl(proxied(), requestFor(keys[1], 1)));
  });

  it('encodes a key as the serializer does: segments URI-encoded with !\'()* too, slashes kept', () => {
    expect(encodeKeyPath("a b/c!'()*~/ü")).toBe('a%20b/c%21%27%28%29%2A~/%C3%BC');
  });
});
