/**
 * The local user pool's token endpoint (local/cognito/routes.ts) over HTTP:
 * only a SigV4 signature of the admin key pair mints tokens; the API key, a
 * service's other keys and a body changed after signing are refused; lifetimes
 * and groups are held to Cognito's bounds.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPoolRoutes, userPoolSigningName } from '../../local/cognito/routes.ts';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { adminFetch } from '../../local/iam/admin-fetch.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { listen } from '../../local/listen.ts';

const region = 'us-east-1';
const admin = { accessKeyId: 'LKIATESTCOGNITOADMIN0', secretAccessKey: 'test-secret-for-local-cognito-admin-0000' };
const functionKey = { accessKeyId: 'LKIATESTCOGNITOFUNCTION', secretAccessKey: 'test-secret-for-local-cognito-function00' };
const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-cognito-routes-'));
const pool = openLocalUserPool({ stateDir, region, origin: 'https://127.0.0.1:1' });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

let server: Server;
let tokensUrl: string;

beforeAll(async () => {
  const routes = userPoolRoutes({ pool, admin: credentialStore(admin), region });
  server = createServer((request, response) => {
    void routes(request, response).then((served) => (served ? undefined : response.writeHead(404).end()));
  });
  const port = await listen(server, 0, '127.0.0.1');
  tokensUrl = `http://127.0.0.1:${port}/_local/cognito/${pool.userPoolId}/tokens`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(stateDir, { recursive: true, force: true });
});

const mintAs = (credentials: typeof admin, body: unknown, service = userPoolSigningName) =>
  adminFetch(tokensUrl, { method: 'POST', body: JSON.stringify(body) }, { credentials, region, service });
const errorOf = async (response: Response) => ({ status: response.status, ...((await response.json()) as { __type: string; message: string }) });

describe('Endpoint: POST tokens_url', () => {
  it("mints verifiable tokens for a request signed by the admin key pair", async () => {
    // Act
    const response = await mintAs(admin, { username: 'alice', groups: ['editors'] });

    // Assess
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { idToken: string; accessToken: string; sub: string; expiresIn: number };
    expect(pool.verify(tokens.idToken)).toMatchObject({ ok: true, claims: { sub: tokens.sub, 'cognito:username': 'alice', 'cognito:groups': ['editors'] } });
    expect(tokens.expiresIn).toBe(3600);
  });

  it('refuses the API key, an unsigned request and a signature by any other key', async () => {
    // Prepare
    const body = JSON.stringify({ username: 'mallory', groups: ['admins'], expiresInSeconds: 86_400 });

    // Act
    const withApiKey = await fetch(tokensUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'da2-whatever' }, body });
    const byFunctionKey = await mintAs(functionKey, JSON.parse(body));
    const wrongSecret = await mintAs({ ...admin, secretAccessKey: 'not-the-admin-secret-key-00000000000000' }, JSON.parse(body));
    const otherService = await mintAs(admin, JSON.parse(body), 'appsync');

    // Assess
    expect(await errorOf(withApiKey)).toEqual({
      status: 403,
      __type: 'MissingAuthenticationTokenException',
      message: expect.stringMatching(/admin key pair \(credentials\.json in its state dir\); the API key is not accepted/),
    });
    expect(await errorOf(byFunctionKey)).toMatchObject({ status: 403, __type: 'UnrecognizedClientException' });
    expect(await errorOf(wrongSecret)).toMatchObject({ status: 403, __type: 'InvalidSignatureException' });
    expect(await errorOf(otherService)).toMatchObject({ status: 403, __type: 'IncompleteSignatureException' });
  });

  it('refuses a body changed after the admin signed it', async () => {
    // Prepare: the admin signs a mint for alice…
    const url = new URL(tokensUrl);
    const signer = new SignatureV4({ service: userPoolSigningName, region, credentials: admin, sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice' }),
    });
    const { host: _host, ...headers } = signed.headers;

    // Act: …and someone replays it for another user, in a group
    const replayed = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ username: 'mallory', groups: ['admins'] }) });

    // Assess
    expect(await errorOf(replayed)).toMatchObject({ status: 403, __type: 'InvalidSignatureException' });
  });

  it.each([
    [{ username: 'alice', expiresInSeconds: 1e300 }, /^expiresInSeconds must be an integer from 300 \(5 minutes\) to 86400 \(1 day\)/],
    [{ username: 'alice', expiresInSeconds: 86_401 }, /^expiresInSeconds must be an integer from 300/],
    [{ username: 'alice', expiresInSeconds: -60 }, /^expiresInSeconds must be an integer from 300/],
    [{ username: 'alice', issuedAt: 4_102_444_800 }, /^issuedAt must be unix seconds, not in the future/],
    [{ username: 'alice', groups: ['ok', ''] }, /^groups must be at most 100 group names/],
    [{ username: 'alice', groups: Array.from({ length: 101 }, (_, index) => `g${index}`) }, /^groups must be at most 100 group names/],
    [{ username: 'alice', groups: ['a\u202Eb'] }, /^groups must be/],
    [{ username: 'alice', scope: 'aws.cognito.signin.user.admin' }, /^unknown field\(s\): scope/],
    [{ username: '' }, /^username must be 1 to 128 characters/],
  ])('refuses %j from the admin with 400 InvalidParameterException', async (body, message) => {
    const response = await mintAs(admin, body);
    expect(await errorOf(response)).toMatchObject({ status: 400, __type: 'InvalidParameterException', message: expect.stringMatching(message) });
  });

  it('leaves other request targets, malformed ones too, to the server it is mounted on', async () => {
    const statusOf = (target: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const url = new URL(tokensUrl);
        request({ host: url.hostname, port: url.port, path: target, method: 'POST' }, (response) => {
          response.resume();
          resolve(response.statusCode);
        }).on('error', reject).end();
      });
    expect(await Promise.all(['//[', '/%ff', `/_local/cognito/${pool.userPoolId}/tokens/x`].map(statusOf))).toEqual([404, 404, 404]);
  });

  it("mints one day, the longest lifetime Cognito allows, as asked", async () => {
    const response = await mintAs(admin, { username: 'alice', expiresInSeconds: 86_400 });
    const { accessToken } = (await response.json()) as { accessToken: string };
    const { iat, exp } = claimsOf(accessToken) as { iat: number; exp: number };
    expect(exp - iat).toBe(86_400);
  });
});
