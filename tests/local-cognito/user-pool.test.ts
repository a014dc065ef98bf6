/** The local user pool (local/cognito/user-pool.ts): Cognito-shaped tokens and AppSync-style checks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../local/appsync/server/auth.ts';
import { AuthMode } from '../../api/manifest.ts';
import { MintTokensError } from '../../local/cognito/errors.ts';
import { TokenValidity, openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { credentialStore } from '../../local/iam/credentials.ts';

const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-cognito-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
const pool = openLocalUserPool({ stateDir, region: 'us-east-1', origin: 'https://127.0.0.1:1' });
/** Issued two hours ago for one hour: expired an hour ago. */
const anHourAgo = () => ({ issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 3600 });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('Function: openLocalUserPool', () => {
  it('mints ID and access tokens with Cognito claims and a stable sub per username', () => {
    // Act
    const first = pool.mintTokens({ username: 'alice', email: 'alice@example.com' });
    const again = pool.mintTokens({ username: 'alice' });

    // Assess
    expect(first.sub).toBe(again.sub);
    expect(first.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(claimsOf(first.idToken)).toMatchObject({
      sub: first.sub, iss: pool.issuer, aud: pool.clientId, token_use: 'id', 'cognito:username': 'alice', email: 'alice@example.com',
    });
    expect(claimsOf(first.accessToken)).toMatchObject({ sub: first.sub, client_id: pool.clientId, token_use: 'access', username: 'alice' });
    expect(pool.verify(first.idToken).ok).toBe(true);
    expect(pool.jwks().keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('keeps the same pool and keys across a restart on the same state dir', () => {
    const token = pool.mintTokens({ username: 'bob' }).accessToken;
    const reopened = openLocalUserPool({ stateDir, region: 'us-east-1', origin: 'https://127.0.0.1:1' });
    expect(reopened.userPoolId).toBe(pool.userPoolId);
    expect(reopened.verify(token).ok).toBe(true);
  });

  it('refuses expired, tampered, foreign-issuer and malformed tokens', () => {
    const expired = pool.mintTokens({ username: 'carol', ...anHourAgo() }).accessToken;
    const [header, , signature] = pool.mintTokens({ username: 'carol' }).accessToken.split('.');
    const otherClaims = pool.mintTokens({ username: 'mallory' }).accessToken.split('.')[1];
    const elsewhere = openLocalUserPool({ stateDir, region: 'us-east-1', origin: 'https://127.0.0.1:2' });

    expect(pool.verify(expired)).toEqual({ ok: false, reason: 'expired' });
    expect(pool.verify(`${header}.${otherClaims}.${signature}`)).toEqual({ ok: false, reason: 'invalid' });
    expect(pool.verify(elsewhere.mintTokens({ username: 'carol' }).accessToken)).toEqual({ ok: false, reason: 'invalid' });
    expect(pool.verify('not-a-jwt')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('Method: mintTokens (lifetimes)', () => {
  it("gives tokens Cognito's default lifetime, one hour, unless told", () => {
    const { idToken, accessToken, expiresIn } = pool.mintTokens({ username: 'erin' });
    for (const token of [idToken, accessToken]) {
      const { iat, exp } = claimsOf(token) as { iat: number; exp: number };
      expect(exp - iat).toBe(3600);
    }
    expect(expiresIn).toBe(3600);
  });

  it.each([TokenValidity.minSeconds, TokenValidity.maxSeconds])('mints a lifetime of %i seconds, a bound Cognito allows', (seconds) => {
    const { accessToken } = pool.mintTokens({ username: 'erin', expiresInSeconds: seconds });
    const { iat, exp } = claimsOf(accessToken) as { iat: number; exp: number };
    expect(exp - iat).toBe(seconds);
  });

  it.each([
    [{ expiresInSeconds: 86_401 }, /expiresInSeconds must be an integer from 300 \(5 minutes\) to 86400 \(1 day\)/],
    [{ expiresInSeconds: 1e300 }, /expiresInSeconds must be/],
    [{ expiresInSeconds: 299 }, /expiresInSeconds must be/],
    [{ expiresInSeconds: -1 }, /expiresInSeconds must be/],
    [{ expiresInSeconds: 600.5 }, /expiresInSeconds must be/],
    [{ issuedAt: Math.floor(Date.now() / 1000) + 3600 }, /issuedAt must be unix seconds, not in the future/],
  ])('refuses %j', (args, message) => {
    expect(() => pool.mintTokens({ username: 'erin', ...args })).toThrow(MintTokensError);
    expect(() => pool.mintTokens({ username: 'erin', ...args })).toThrow(message);
  });
});

describe('Function: authenticate (user pools)', () => {
  const settings = {
    apiKey: 'da2-test',
    credentials: credentialStore({ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' }),
    region: 'us-east-1',
    authModes: [AuthMode.API_KEY, AuthMode.IAM, AuthMode.USER_POOL],
    userPool: pool,
  };
  const request = (authorization: string) => ({ method: 'POST', url: '/graphql', headers: { authorization }, body: '{}', sourceIp: '127.0.0.1' });

  it("builds AppSync's Cognito identity from a verified token", async () => {
    const tokens = pool.mintTokens({ username: 'dave', groups: ['admins'] });
    const result = await authenticate(request(tokens.idToken), settings);
    expect(result).toMatchObject({
      ok: true,
      caller: {
        mode: AuthMode.USER_POOL,
        identity: { sub: tokens.sub, issuer: pool.issuer, username: 'dave', sourceIp: ['127.0.0.1'], defaultAuthStrategy: 'ALLOW', groups: ['admins'] },
      },
    });
  });

  it('answers an expired token with 401 "Token has expired."', async () => {
    const result = await authenticate(request(pool.mintTokens({ username: 'dave', ...anHourAgo() }).accessToken), settings);
    expect(result).toEqual({ ok: false, error: { status: 401, errorType: 'UnauthorizedException', message: 'Token has expired.' } });
  });
});
