import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest as SignedRequest } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { sigV4FailureBeforeBody, verifySigV4, type SigV4Failure, type SigV4Success, type VerifyOptions } from '../../local/iam/sigv4.ts';

const region = 'us-east-1';
const credentials: LocalCredentials = { accessKeyId: 'LKIATESTKEY0000000001', secretAccessKey: 'local-secret-for-tests-0123456789abcdefgh' };
const wrongSecret: LocalCredentials = { ...credentials, secretAccessKey: 'not-the-secret-00000000000000000000000000' };
const store = credentialStore(credentials);
const s3Options: VerifyOptions = { credentials: store, service: 's3', region, uriEscapePath: false };

/** Turns a signed smithy request into what node:http hands a server. */
function incoming(request: SignedRequest) {
  const query = Object.entries(request.query ?? {})
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v ?? '')}`))
    .join('&');
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return { method: request.method, url: query ? `${request.path}?${query}` : request.path, headers };
}

function unsignedRequest(overrides: Partial<ConstructorParameters<typeof HttpRequest>[0]> = {}) {
  return new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4751,
    path: '/graphql',
    query: { b: '2', a: 'x y/z' },
    headers: { host: '127.0.0.1:4751', 'content-type': 'application/json', 'x-amz-content-sha256': 'abc' },
    body: '{}',
    ...overrides,
  });
}

const signer = (secret: LocalCredentials, service = 'appsync') =>
  new SignatureV4({ credentials: secret, region, service, sha256: Sha256, uriEscapePath: service !== 's3' });
const appsyncOptions: VerifyOptions = { credentials: store, service: 'appsync', region };

const expectFailure = (result: SigV4Success | SigV4Failure, code: SigV4Failure['code']) => {
  expect(result.ok).toBe(false);
  expect((result as SigV4Failure).code).toBe(code);
  return result as SigV4Failure;
};

describe('header form (smithy SignatureV4)', () => {
  it('accepts a correctly signed request, including a path that needs double encoding', async () => {
    const signed = await signer(credentials).sign(unsignedRequest({ path: '/a b/ü' }));
    const result = await verifySigV4(incoming(signed), appsyncOptions);
    expect(result).toMatchObject({ ok: true, accessKeyId: credentials.accessKeyId, presigned: false });
    expect((result as SigV4Success).signedHeaders).toContain('host');
  });

  it('checks each request against the secret its key id has now, not a signing key derived before a rotation', async () => {
    const rotated: LocalCredentials = { ...credentials, secretAccessKey: 'rotated-secret-000000000000000000000000000' };
    const rotatedOptions: VerifyOptions = { ...appsyncOptions, credentials: credentialStore(rotated) };
    const signedWithOld = incoming(await signer(credentials).sign(unsignedRequest()));
    const signedWithNew = incoming(await signer(rotated).sign(unsignedRequest()));

    expect((await verifySigV4(signedWithOld, appsyncOptions)).ok).toBe(true);
    expectFailure(await verifySigV4(signedWithOld, rotatedOptions), 'SignatureDoesNotMatch');
    expect((await verifySigV4(signedWithNew, rotatedOptions)).ok).toBe(true);
    expectFailure(await verifySigV4(signedWithNew, appsyncOptions), 'SignatureDoesNotMatch');
    expect((await verifySigV4(signedWithOld, appsyncOptions)).ok).toBe(true);
  });

  it('refuses tampering and wrong keys', async () => {
    const signed = incoming(await signer(credentials).sign(unsignedRequest()));
    expectFailure(await verifySigV4({ ...signed, url: signed.url.replace('/graphql', '/graphql2') }, appsyncOptions), 'SignatureDoesNotMatch');
    expectFailure(await verifySigV4({ ...signed, url: signed.url.replace('b=2', 'b=3') }, appsyncOptions), 'SignatureDoesNotMatch');
    expectFailure(await verifySigV4({ ...signed, method: 'PUT' }, appsyncOptions), 'SignatureDoesNotMatch');
    expectFailure(
      await verifySigV4({ ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } }, appsyncOptions),
      'SignatureDoesNotMatch',
    );
    expectFailure(await verifySigV4({ ...signed, payloadHash: 'def' }, appsyncOptions), 'SignatureDoesNotMatch');
    const authorization = String(signed.headers.authorization);
    const flipped = authorization.replace(/Signature=(.)/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`);
    const failure = expectFailure(await verifySigV4({ ...signed, headers: { ...signed.headers, authorization: flipped } }, appsyncOptions), 'SignatureDoesNotMatch');
    expect(failure.detail?.canonicalRequest).toContain('/graphql');

    const wrong = incoming(await signer(wrongSecret).sign(unsignedRequest()));
    expectFailure(await verifySigV4(wrong, appsyncOptions), 'SignatureDoesNotMatch');
    const stranger = incoming(await signer({ accessKeyId: 'LKIAOTHER', secretAccessKey: 'x' }).sign(unsignedRequest()));
    expectFailure(await verifySigV4(stranger, appsyncOptions), 'InvalidAccessKeyId');
  });

  it('checks scope, clock, host and presence', async () => {
    const signed = incoming(await signer(credentials).sign(unsignedRequest()));
    expectFailure(await verifySigV4(signed, { ...appsyncOptions, region: 'eu-west-1' }), 'IncompleteSignature');
    expectFailure(await verifySigV4(signed, { ...appsyncOptions, service: 'rekognition' }), 'IncompleteSignature');
    expectFailure(await verifySigV4(signed, { ...appsyncOptions, now: new Date(Date.now() + 16 * 60_000) }), 'RequestTimeTooSkewed');
    expect((await verifySigV4(signed, { ...appsyncOptions, now: new Date(Date.now() + 14 * 60_000) })).ok).toBe(true);

    const hostless = incoming(await signer(credentials).sign(unsignedRequest(), { unsignableHeaders: new Set(['host']) }));
    expectFailure(await verifySigV4(hostless, appsyncOptions), 'IncompleteSignature');

    const { authorization: _, ...anonymousHeaders } = signed.headers;
    expectFailure(await verifySigV4({ ...signed, headers: anonymousHeaders }, appsyncOptions), 'MissingAuthenticationToken');
    expectFailure(await verifySigV4({ ...signed, headers: { ...signed.headers, authorization: 'AWS LKIA:abc' } }, appsyncOptions), 'IncompleteSignature');
    expectFailure(
      await verifySigV4({ ...signed, headers: { ...signed.headers, authorization: 'AWS4-HMAC-SHA256 Credential=LKIA/20240101/us-east-1/appsync/aws4_request' } }, appsyncOptions),
      'IncompleteSignature',
    );
  });
});

describe('presigned form (smithy SignatureV4)', () => {
  const getRequest = () =>
    new HttpRequest({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', path: '/bucket/a%20key', headers: { host: '127.0.0.1:9', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });

  it('accepts, then refuses once expired or when the date is in the future', async () => {
    const presigned = incoming(await signer(credentials, 's3').presign(getRequest(), { expiresIn: 60 }));
    const ok = await verifySigV4(presigned, s3Options);
    expect(ok).toMatchObject({ ok: true, presigned: true });
    expect((ok as SigV4Success).expiresAt!.getTime()).toBeGreaterThan(Date.now());

    const expired = expectFailure(await verifySigV4(presigned, { ...s3Options, now: new Date(Date.now() + 61_000) }), 'AccessDenied');
    expect(expired.message).toBe('Request has expired');
    const early = expectFailure(await verifySigV4(presigned, { ...s3Options, now: new Date(Date.now() - 16 * 60_000) }), 'AccessDenied');
    expect(early.message).toBe('Request is not valid yet');
  });

  it('refuses X-Amz-Expires beyond a week and tampered parameters', async () => {
    const presigned = incoming(await signer(credentials, 's3').presign(getRequest(), { expiresIn: 60 }));
    expectFailure(await verifySigV4({ ...presigned, url: presigned.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') }, s3Options), 'IncompleteSignature');
    expectFailure(await verifySigV4({ ...presigned, url: presigned.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=120') }, s3Options), 'SignatureDoesNotMatch');
    expectFailure(await verifySigV4({ ...presigned, url: presigned.url.replace('a%20key', 'b%20key') }, s3Options), 'SignatureDoesNotMatch');
    expectFailure(await verifySigV4({ ...presigned, url: `${presigned.url}&extra=1` }, s3Options), 'SignatureDoesNotMatch');
  });
});

describe('sigV4FailureBeforeBody (what a service refuses before reading the body)', () => {
  it('answers what verifySigV4 answers for a request wrong on its headers, whatever its body', async () => {
    const signed = incoming(await signer(credentials).sign(unsignedRequest()));
    const { authorization: _, ...anonymousHeaders } = signed.headers;
    const stranger = incoming(await signer({ accessKeyId: 'LKIAOTHER', secretAccessKey: 'x' }).sign(unsignedRequest()));
    const presigned = incoming(
      await signer(credentials, 's3').presign(
        new HttpRequest({ method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', path: '/bucket/key', headers: { host: '127.0.0.1:9' } }),
        { expiresIn: 60 },
      ),
    );
    const cases: [Parameters<typeof verifySigV4>[0], VerifyOptions][] = [
      [{ ...signed, headers: anonymousHeaders }, appsyncOptions],
      [{ ...signed, headers: { ...signed.headers, authorization: 'AWS4-HMAC-SHA256 Credential=LKIA/20240101/us-east-1/appsync/aws4_request' } }, appsyncOptions],
      [stranger, appsyncOptions],
      [signed, { ...appsyncOptions, region: 'eu-west-1' }],
      [signed, { ...appsyncOptions, now: new Date(Date.now() + 16 * 60_000) }],
      [presigned, { ...s3Options, now: new Date(Date.now() + 61_000) }],
    ];

    for (const [request, options] of cases) {
      const before = sigV4FailureBeforeBody(request, options);
      const after = await verifySigV4({ ...request, payloadHash: 'a'.repeat(64) }, options);
      expect(after.ok).toBe(false);
      expect(before).toEqual(after);
    }
  });

  it('leaves to verifySigV4 what only the signature over the body can tell', async () => {
    const signed = incoming(await signer(credentials).sign(unsignedRequest()));
    const wrong = incoming(await signer(wrongSecret).sign(unsignedRequest()));

    expect(sigV4FailureBeforeBody(signed, appsyncOptions)).toBeUndefined();
    expect(sigV4FailureBeforeBody(wrong, appsyncOptions)).toBeUndefined();
    expectFailure(await verifySigV4(wrong, appsyncOptions), 'SignatureDoesNotMatch');
  });
});

describe('session credentials (a role session, X-Amz-Security-Token)', () => {
  const session: LocalCredentials = { accessKeyId: 'LSIATESTSESSION00001', secretAccessKey: 'session-secret-0123456789abcdefghijklmnop', sessionToken: 'token+/=0123' };
  const sessionStore = credentialStore(credentials, session);
  const headerOptions: VerifyOptions = { ...appsyncOptions, credentials: sessionStore };
  const presignOptions: VerifyOptions = { ...s3Options, credentials: sessionStore };
  const getRequest = () =>
    new HttpRequest({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', path: '/bucket/key', headers: { host: '127.0.0.1:9', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });

  it('accepts the header form only with the key\'s own token', async () => {
    // Act: the token is signed with the request (x-amz-security-token), so each variant is signed anew
    const signedWith = async (keys: LocalCredentials) => verifySigV4(incoming(await signer(keys).sign(unsignedRequest())), headerOptions);
    const { sessionToken: _, ...keysAlone } = session;

    // Assess
    expect(await signedWith(session)).toMatchObject({ ok: true, accessKeyId: session.accessKeyId });
    expectFailure(await signedWith(keysAlone), 'InvalidAccessKeyId');
    const other = expectFailure(await signedWith({ ...session, sessionToken: 'another-token' }), 'InvalidToken');
    expect(other.detail?.token).toBe('another-token');
    expectFailure(await signedWith({ ...credentials, sessionToken: 'token+/=0123' }), 'InvalidToken');
    expect((await signedWith(credentials)).ok).toBe(true);
  });

  it('accepts the presigned form only with the key\'s own X-Amz-Security-Token', async () => {
    // Prepare
    const presigned = incoming(await signer(session, 's3').presign(getRequest(), { expiresIn: 60 }));
    const presignedWith = async (keys: LocalCredentials) => verifySigV4(incoming(await signer(keys, 's3').presign(getRequest(), { expiresIn: 60 })), presignOptions);
    const { sessionToken: _, ...keysAlone } = session;

    // Assess
    expect(presigned.url).toContain(`X-Amz-Security-Token=${encodeURIComponent('token+/=0123')}`);
    expect(await verifySigV4(presigned, presignOptions)).toMatchObject({ ok: true, presigned: true });
    expectFailure(await presignedWith(keysAlone), 'InvalidAccessKeyId');
    expectFailure(await presignedWith({ ...session, sessionToken: 'another-token' }), 'InvalidToken');
    // The token is a signed parameter too: swapped in after signing, it fails the token check first
    expectFailure(await verifySigV4({ ...presigned, url: presigned.url.replace(/X-Amz-Security-Token=[^&]*/, 'X-Amz-Security-Token=x') }, presignOptions), 'InvalidToken');
  });
});

describe('real AWS SDK S3 client and presigner', () => {
  let server: Server;
  let endpoint: string;
  const seen: (SigV4Success | SigV4Failure)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      void verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, s3Options).then((result) => {
        seen.push(result);
        req.resume();
        res.writeHead(result.ok ? 200 : 403, { 'content-type': 'application/xml' });
        res.end(result.ok ? '' : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${result.code}</Code><Message>x</Message></Error>`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (secret: LocalCredentials) =>
    new S3Client({ endpoint, region, credentials: secret, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });

  it('accepts header-signed S3 operations on awkward keys', async () => {
    const s3 = client(credentials);
    const Key = "uploads/a key+with (odd)!chars*'~ü/x.jpg";
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key, Body: Buffer.from('hello'), ContentType: 'image/jpeg' }));
    await s3.send(new GetObjectCommand({ Bucket: 'b', Key }));
    await s3.send(new HeadObjectCommand({ Bucket: 'b', Key }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'b', Key }));
    expect(seen.slice(-4).every((result) => result.ok)).toBe(true);
  });

  it('refuses a client with the wrong secret', async () => {
    await expect(client(wrongSecret).send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).rejects.toThrow();
    expect(seen.at(-1)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });

  it('accepts a presigned PUT used with fetch, and refuses it tampered', async () => {
    const body = Buffer.from('image bytes');
    const url = await getSignedUrl(
      client(credentials),
      new PutObjectCommand({ Bucket: 'b', Key: 'uploads/ü 1', ContentType: 'image/png', ContentLength: body.length }),
      { expiresIn: 300, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    const put = (target: string, contentType: string, bytes: Buffer) =>
      fetch(target, { method: 'PUT', headers: { 'content-type': contentType }, body: new Uint8Array(bytes) });
    expect((await put(url, 'image/png', body)).status).toBe(200);
    expect((await put(url, 'image/jpeg', body)).status).toBe(403);
    expect((await put(url, 'image/png', Buffer.concat([body, body]))).status).toBe(403);
    expect((await put(url.replace(/X-Amz-Signature=./, 'X-Amz-Signature=z'), 'image/png', body)).status).toBe(403);
    expect(seen.at(-1)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });
});
