/**
 * functions/presign-upload/upload-url-signer.ts: the URLs it signs from the
 * shape of the SDK's first URL are getSignedUrl's own, byte for byte, over
 * keys that need encoding, types, sizes, dates, expiries and endpoint styles
 * (AWS's virtual-hosted endpoint, a custom host, an IP address, path style)
 * and session credentials (Lambda's role credentials, with a session token),
 * refreshed ones included; a client whose URLs have another shape is signed
 * by the SDK every time, and an expiry the SDK refuses is refused as it does.
 */
import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeKeyPath, signUploadUrl, signsFromShape, uploadSignedHeaders, type UploadUrlRequest } from '../../functions/presign-upload/upload-url-signer.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
/** Lambda's role credentials have a session token; '+/=' as in real tokens, which the URL must encode. */
const sessionCredentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2Vj+/token==' };
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
    ['session credentials (Lambda role)', { credentials: sessionCredentials }],
    ['session credentials on a custom host', { endpoint: 'https://localhost:4569', credentials: sessionCredentials }],
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

  describe('with credentials that expire', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /**
     * Session credentials as Lambda's role gets them: each generation a new key and token, valid for ten
     * minutes. The SDK refreshes credentials within five minutes of their expiration, so moving the clock on
     * six minutes makes the next signature ask the provider again.
     */
    const expiringCredentials = () => {
      const state = { generation: 1, validForMs: 10 * 60_000 };
      const provider = async () => ({
        accessKeyId: `ASIAEXAMPLE${state.generation}`,
        secretAccessKey: `secret/${state.generation}+key`,
        sessionToken: `session+/token=${state.generation}`,
        expiration: new Date(Date.now() + state.validForMs),
      });
      return { state, provider };
    };

    it('signs with the refreshed credentials what getSignedUrl signs with them', async () => {
      // Prepare: only Date is faked, so the SDK's expiry check reads the test's clock
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.UTC(2026, 10, 30, 12));
      const { state, provider } = expiringCredentials();
      const s3 = client({ credentials: provider });
      const reference = client({ credentials: provider });
      await signUploadUrl(s3, requestFor(keys[0], 0));

      for (const generation of [1, 2, 3]) {
        // Act
        const urls = [];
        for (const [index, key] of keys.entries()) urls.push(await signUploadUrl(s3, requestFor(key, index)));

        // Assess: signed from the shape, with this generation's key and token, byte for byte getSignedUrl's
        expect(signsFromShape(s3, 'labelcast-uploads')).toBe(true);
        for (const [index, key] of keys.entries()) {
          const url = new URL(urls[index]);
          expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^ASIAEXAMPLE${generation}/`));
          expect(url.searchParams.get('X-Amz-Security-Token')).toBe(`session+/token=${generation}`);
          expect(urls[index]).toBe(await sdkUrl(reference, requestFor(key, index)));
        }

        // Prepare the next round: new credentials, and the old ones five minutes from expiring
        state.generation += 1;
        vi.setSystemTime(Date.now() + 6 * 60_000);
      }
    });

    it('learns the shape again when the credentials changed between the SDK\'s URL and its check', async () => {
      // Prepare: credentials within five minutes of expiring are fetched anew at every signature, a new key each time
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.UTC(2026, 10, 30, 12));
      const { state, provider } = expiringCredentials();
      state.validForMs = 60_000;
      const rotating = async () => {
        state.generation += 1;
        return provider();
      };
      const s3 = client({ credentials: rotating });

      // Act: the first URL's check is signed with other keys than the SDK's URL
      await signUploadUrl(s3, requestFor(keys[0], 0));
      const learnedWhileRotating = signsFromShape(s3, 'labelcast-uploads');
      state.validForMs = 60 * 60_000;
      await signUploadUrl(s3, requestFor(keys[1], 1));

      // Assess: the mismatch said nothing about the shape, so it was learned once the credentials held still
      expect(learnedWhileRotating).toBe(false);
      expect(signsFromShape(s3, 'labelcast-uploads')).toBe(true);
    });
  });

  it('refuses an expiry over a week as getSignedUrl does, with its Error', async () => {
    // Prepare: a client that signs from its shape, and one that has not learned it yet
    const s3 = client({ credentials: sessionCredentials });
    await signUploadUrl(s3, requestFor(keys[0], 0));
    const fresh = client({ credentials: sessionCredentials });
    const overAWeek = { ...requestFor(keys[1], 1), expiresIn: 7 * 24 * 3600 + 1 };
    const aWeek = { ...requestFor(keys[1], 1), expiresIn: 7 * 24 * 3600 };

    // Act
    const refusals = await Promise.all(
      [signUploadUrl(s3, overAWeek), signUploadUrl(fresh, overAWeek), sdkUrl(client({ credentials: sessionCredentials }), overAWeek)].map((url) =>
        url.then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );

    // Assess: the same Error the SDK rejects with; a week itself is still signed, from the shape
    const [fromShape, fromFirst, sdkRefusal] = refusals;
    expect(sdkRefusal).toBeInstanceOf(Error);
    expect(fromShape).toBeInstanceOf(Error);
    expect(fromFirst).toBeInstanceOf(Error);
    expect((fromShape as Error).message).toBe((sdkRefusal as Error).message);
    expect((fromFirst as Error).message).toBe((sdkRefusal as Error).message);
    expect(signsFromShape(s3, 'labelcast-uploads')).toBe(true);
    expect(await signUploadUrl(s3, aWeek)).toBe(await sdkUrl(client({ credentials: sessionCredentials }), aWeek));
  });

  it('encodes a key as the serializer does: segments URI-encoded with !\'()* too, slashes kept', () => {
    expect(encodeKeyPath("a b/c!'()*~/ü")).toBe('a%20b/c%21%27%28%29%2A~/%C3%BC');
  });
});
