/**
 * The local user pool's Cognito API over HTTP (local/cognito/identity-provider.ts, user-pool-api.ts), driven the way
 * aws-amplify v6 drives Cognito: JSON 1.1 POSTs with X-Amz-Target, SRP computed by Amplify's own client code
 * (tests/support/amplify-srp.ts), the sign-up code read through the admin-signed test hook. Each refusal is
 * Cognito's: its `__type`, message and status.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { identityProviderHandler, identityProviderPath, isIdentityProviderRequest, sendInternalError } from '../../local/cognito/identity-provider.ts';
import { RequestQuota } from '../../local/cognito/request-quota.ts';
import { userPoolRoutes, userPoolSigningName } from '../../local/cognito/routes.ts';
import { confirmationCodeValidityMs, userPoolApi } from '../../local/cognito/user-pool-api.ts';
import { openLocalUserPool, type LocalUserPool } from '../../local/cognito/user-pool.ts';
import { UserDirectory } from '../../local/cognito/users.ts';
import { closeServer, guardRequests, guardServer } from '../../local/http-boundary.ts';
import { adminFetch } from '../../local/iam/admin-fetch.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { listen } from '../../local/listen.ts';
import { amplifySrpClient } from '../support/amplify-srp.ts';
import { postOversizedBody } from '../support/oversized-post.ts';

const region = 'us-east-1';
const admin = { accessKeyId: 'LKIATESTSIGNINADMIN00', secretAccessKey: 'test-secret-for-local-sign-in-admin-0000' };
const password = 'Sunny-orchard-42';
const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-sign-in-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> & { __type?: string; message?: string };
}

interface LocalPoolServer {
  readonly pool: LocalUserPool;
  readonly stateDir: string;
  readonly logs: string[];
  call(operation: string, body: Record<string, unknown>): Promise<Answer>;
  /** The pending sign-up code of `email`, through the admin-signed hook. */
  code(email: string): Promise<string>;
  /** ClientId filled in. */
  clientCall(operation: string, body: Record<string, unknown>): Promise<Answer>;
  readonly url: string;
  readonly clock: { ms: number };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => closeServer(server)));
});

/** A pool with its API and hooks on a port of its own; `stateDir` reuses one (a restart). */
async function startPool(options: { stateDir?: string; quota?: RequestQuota; maxUsers?: number } = {}): Promise<LocalPoolServer> {
  const stateDir = options.stateDir ?? mkdtempSync(path.join(workDir, 'pool-'));
  const pool = openLocalUserPool({ stateDir, region, origin: 'https://127.0.0.1:1' });
  const logs: string[] = [];
  const clock = { ms: Date.now() };
  const service = userPoolApi({ pool, users: new UserDirectory(stateDir), log: (line) => logs.push(line), now: () => clock.ms, maxUsers: options.maxUsers });
  const api = identityProviderHandler({ service, quota: options.quota });
  const routes = userPoolRoutes({ pool, admin: credentialStore(admin), region, userPoolApi: service });
  const server = createServer(
    guardRequests(
      async (request, response) => {
        if (isIdentityProviderRequest(request)) return api(request, response);
        if (!(await routes(request, response))) response.writeHead(404).end();
      },
      { service: 'test pool', internalError: (_, response) => sendInternalError(response) },
    ),
  );
  guardServer(server);
  servers.push(server);
  const origin = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  const url = `${origin}${identityProviderPath}`;
  const call = async (operation: string, body: Record<string, unknown>): Promise<Answer> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  return {
    pool,
    stateDir,
    logs,
    url,
    clock,
    call,
    clientCall: (operation, body) => call(operation, { ClientId: pool.clientId, ...body }),
    async code(email) {
      const response = await adminFetch(`${origin}/_local/cognito/${pool.userPoolId}/confirmation-code`, { method: 'POST', body: JSON.stringify({ email }) }, { credentials: admin, region, service: userPoolSigningName });
      if (!response.ok) throw new Error(`no code for ${email}: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { code: string }).code;
    },
  };
}

const newEmail = () => `user-${randomUUID()}@example.com`;

/** SignUp as Amplify sends it: the email as Username and as the email attribute. */
const signUp = (server: LocalPoolServer, email: string, withPassword = password) =>
  server.clientCall('SignUp', { Username: email, Password: withPassword, UserAttributes: [{ Name: 'email', Value: email }] });

async function confirmedUser(server: LocalPoolServer) {
  const email = newEmail();
  const signedUp = await signUp(server, email);
  expect(signedUp.status).toBe(200);
  expect((await server.clientCall('ConfirmSignUp', { Username: email, ConfirmationCode: await server.code(email) })).status).toBe(200);
  return { email, sub: signedUp.body.UserSub as string };
}

/** Amplify's SRP sign-in: InitiateAuth USER_SRP_AUTH, then its PASSWORD_VERIFIER answer. */
async function srpSignIn(server: LocalPoolServer, username: string, typed = password): Promise<Answer> {
  const client = await amplifySrpClient(server.pool.userPoolId);
  const started = await server.clientCall('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: client.srpA } });
  if (started.status !== 200) return started;
  expect(started.body.ChallengeName).toBe('PASSWORD_VERIFIER');
  const challenge = started.body.ChallengeParameters as Record<string, string>;
  return server.clientCall('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: await client.passwordVerifier(challenge, typed) });
}

const tokensOf = (answer: Answer) => answer.body.AuthenticationResult as { AccessToken: string; IdToken: string; RefreshToken?: string; ExpiresIn: number };
const refusal = (answer: Answer) => ({ status: answer.status, type: answer.body.__type, message: answer.body.message });

describe('SignUp and ConfirmSignUp', () => {
  it('signs a user up unconfirmed, "emails" a code to the log and the hook, and confirms it', async () => {
    // Arrange
    const server = await startPool();
    const email = newEmail();

    // Act
    const signedUp = await signUp(server, email);
    const code = await server.code(email);
    const confirmed = await server.clientCall('ConfirmSignUp', { Username: email, ConfirmationCode: code });

    // Assess
    expect(signedUp.status).toBe(200);
    expect(signedUp.body).toMatchObject({ UserConfirmed: false, CodeDeliveryDetails: { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'u***@e***' } });
    expect(signedUp.body.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(code).toMatch(/^\d{6}$/);
    expect(server.logs.join('\n')).toContain(`${email}: ${code}`);
    expect(confirmed).toEqual({ status: 200, body: {} });
  });

  it.each([
    ['short', 'Sunny-42', 'Password did not conform with policy: Password not long enough'],
    ['no lowercase', 'SUNNY-ORCHARD-42', 'Password did not conform with policy: Password must have lowercase characters'],
    ['no uppercase', 'sunny-orchard-42', 'Password did not conform with policy: Password must have uppercase characters'],
    ['no digit', 'Sunny-orchard-xx', 'Password did not conform with policy: Password must have numeric characters'],
  ])('refuses a %s password with InvalidPasswordException', async (_, weak, message) => {
    const server = await startPool();
    expect(refusal(await signUp(server, newEmail(), weak))).toEqual({ status: 400, type: 'InvalidPasswordException', message });
  });

  it('refuses a password with a space as an invalid parameter, before the policy', async () => {
    const server = await startPool();
    expect(refusal(await signUp(server, newEmail(), 'Sunny orchard 42'))).toEqual({
      status: 400,
      type: 'InvalidParameterException',
      message: "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+",
    });
  });

  it('refuses a username that is not an email, an email twice, and an email attribute other than the username', async () => {
    const server = await startPool();
    const email = newEmail();
    await signUp(server, email);
    expect(refusal(await signUp(server, 'alice'))).toMatchObject({ type: 'InvalidParameterException', message: 'Username should be an email.' });
    expect(refusal(await signUp(server, email))).toEqual({ status: 400, type: 'UsernameExistsException', message: 'An account with the given email already exists.' });
    const other = await server.clientCall('SignUp', { Username: newEmail(), Password: password, UserAttributes: [{ Name: 'email', Value: newEmail() }] });
    expect(refusal(other).message).toBe('User email should be empty or same as username, since username attribute is email.');
  });

  it('refuses a wrong code, then every code after 5 wrong ones, and an expired code', async () => {
    const server = await startPool();
    const email = newEmail();
    await signUp(server, email);
    const code = await server.code(email);
    const wrong = code === '000000' ? '000001' : '000000';
    expect(refusal(await server.clientCall('ConfirmSignUp', { Username: email, ConfirmationCode: wrong }))).toEqual({
      status: 400,
      type: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
    for (let attempt = 2; attempt <= 5; attempt += 1) await server.clientCall('ConfirmSignUp', { Username: email, ConfirmationCode: wrong });
    expect(refusal(await server.clientCall('ConfirmSignUp', { Username: email, ConfirmationCode: code })).type).toBe('LimitExceededException');

    // A new code, then a day passes.
    expect((await server.clientCall('ResendConfirmationCode', { Username: email })).status).toBe(200);
    const resent = await server.code(email);
    server.clock.ms += confirmationCodeValidityMs + 1;
    expect(refusal(await server.clientCall('ConfirmSignUp', { Username: email, ConfirmationCode: resent }))).toEqual({
      status: 400,
      type: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
  });

  it('keeps the code hook to the admin signature: an unsigned request, or one with the API key, is refused', async () => {
    const server = await startPool();
    const email = newEmail();
    await signUp(server, email);
    const hook = server.url.replace(identityProviderPath, `/_local/cognito/${server.pool.userPoolId}/confirmation-code`);
    for (const headers of [{}, { 'x-api-key': 'da2-anyone' }] as Record<string, string>[]) {
      const response = await fetch(hook, { method: 'POST', headers, body: JSON.stringify({ email }) });
      expect(response.status).toBe(403);
      expect(JSON.stringify(await response.json())).not.toMatch(/"code"/);
    }
  });

  it('answers an unknown user as a wrong code (preventUserExistenceErrors)', async () => {
    const server = await startPool();
    expect(refusal(await server.clientCall('ConfirmSignUp', { Username: newEmail(), ConfirmationCode: '123456' })).type).toBe('CodeMismatchException');
  });

  it('refuses users past the local cap, when every user is confirmed, with LimitExceededException', async () => {
    const server = await startPool({ maxUsers: 1 });
    await confirmedUser(server);
    expect(refusal(await signUp(server, newEmail())).type).toBe('LimitExceededException');
  });
});

describe('SRP sign-in, refresh and sign-out', () => {
  it("signs a confirmed user in with Amplify's SRP and issues tokens the pool verifies, for its sub and email", async () => {
    // Arrange
    const server = await startPool();
    const { email, sub } = await confirmedUser(server);

    // Act
    const signedIn = await srpSignIn(server, email);

    // Assess
    expect(signedIn.status).toBe(200);
    const tokens = tokensOf(signedIn);
    expect(tokens).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    expect(tokens.RefreshToken).toEqual(expect.any(String));
    expect(server.pool.verify(tokens.IdToken)).toMatchObject({ ok: true, claims: { sub, email, 'cognito:username': sub, token_use: 'id' } });
    expect(server.pool.verify(tokens.AccessToken)).toMatchObject({ ok: true, claims: { sub, username: sub, token_use: 'access' } });
    const user = await server.call('GetUser', { AccessToken: tokens.AccessToken });
    expect(user.body).toMatchObject({ Username: sub, UserAttributes: expect.arrayContaining([{ Name: 'email', Value: email }]) });
  });

  it('refuses a wrong password, an unknown user alike, and an unconfirmed user with the right one', async () => {
    const server = await startPool();
    const { email } = await confirmedUser(server);
    const unconfirmed = newEmail();
    await signUp(server, unconfirmed);
    const incorrect = { status: 400, type: 'NotAuthorizedException', message: 'Incorrect username or password.' };

    expect(refusal(await srpSignIn(server, email, 'Sunny-orchard-43'))).toEqual(incorrect);
    expect(refusal(await srpSignIn(server, newEmail()))).toEqual(incorrect);
    expect(refusal(await srpSignIn(server, unconfirmed, 'Sunny-orchard-43'))).toEqual(incorrect);
    expect(refusal(await srpSignIn(server, unconfirmed))).toEqual({ status: 400, type: 'UserNotConfirmedException', message: 'User is not confirmed.' });
  });

  it('locks a user out after 5 failed sign-ins, its right password refused too, for a second at first', async () => {
    // Arrange
    const server = await startPool();
    const { email } = await confirmedUser(server);

    // Act
    for (let failure = 1; failure <= 5; failure += 1) await srpSignIn(server, email, 'Sunny-orchard-43');
    const locked = await srpSignIn(server, email);
    server.clock.ms += 1001;
    const after = await srpSignIn(server, email);

    // Assess
    expect(refusal(locked)).toEqual({ status: 400, type: 'NotAuthorizedException', message: 'Password attempts exceeded' });
    expect(after.status).toBe(200);
  });

  it('refuses a challenge answered after the 3-minute auth session', async () => {
    const server = await startPool();
    const { email } = await confirmedUser(server);
    const client = await amplifySrpClient(server.pool.userPoolId);
    const started = await server.clientCall('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: email, SRP_A: client.srpA } });
    const responses = await client.passwordVerifier(started.body.ChallengeParameters as Record<string, string>, password);
    server.clock.ms += 3 * 60 * 1000 + 1;
    const late = await server.clientCall('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: responses });
    expect(refusal(late)).toMatchObject({ type: 'NotAuthorizedException', message: 'Invalid session for the user, session is expired.' });
  });

  it('refreshes with the refresh token (GetTokensFromRefreshToken and REFRESH_TOKEN_AUTH) until it is revoked', async () => {
    // Arrange
    const server = await startPool();
    const { email, sub } = await confirmedUser(server);
    const first = tokensOf(await srpSignIn(server, email));

    // Act
    const refreshed = await server.clientCall('GetTokensFromRefreshToken', { RefreshToken: first.RefreshToken });
    const viaInitiate = await server.clientCall('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first.RefreshToken } });
    const revoked = await server.clientCall('RevokeToken', { Token: first.RefreshToken });
    const afterRevoke = await server.clientCall('GetTokensFromRefreshToken', { RefreshToken: first.RefreshToken });

    // Assess
    expect(refreshed.status).toBe(200);
    expect(server.pool.verify(tokensOf(refreshed).AccessToken)).toMatchObject({ ok: true, claims: { sub } });
    expect(tokensOf(refreshed).RefreshToken).toBeUndefined();
    expect(viaInitiate.status).toBe(200);
    expect(revoked).toEqual({ status: 200, body: {} });
    expect(refusal(afterRevoke)).toEqual({ status: 400, type: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });
    // Cognito refuses the revoked session's access tokens at its own API (AppSync verifies only their signature and expiry).
    expect(refusal(await server.call('GetUser', { AccessToken: first.AccessToken })).message).toBe('Access Token has been revoked');
  });

  it('GlobalSignOut ends every session of the user: refresh tokens and access tokens at GetUser', async () => {
    const server = await startPool();
    const { email } = await confirmedUser(server);
    const one = tokensOf(await srpSignIn(server, email));
    const two = tokensOf(await srpSignIn(server, email));

    expect(await server.call('GlobalSignOut', { AccessToken: one.AccessToken })).toEqual({ status: 200, body: {} });

    for (const tokens of [one, two]) {
      expect(refusal(await server.clientCall('GetTokensFromRefreshToken', { RefreshToken: tokens.RefreshToken })).message).toBe('Refresh Token has been revoked');
      expect(refusal(await server.call('GetUser', { AccessToken: tokens.AccessToken })).message).toBe('Access Token has been revoked');
    }
  });

  it('keeps users and sessions over a restart, with a salt and verifier but never the password', async () => {
    const first = await startPool();
    const { email, sub } = await confirmedUser(first);
    const tokens = tokensOf(await srpSignIn(first, email));

    const restarted = await startPool({ stateDir: first.stateDir });
    expect(tokensOf(await srpSignIn(restarted, email)).AccessToken).toEqual(expect.any(String));
    expect((await restarted.clientCall('GetTokensFromRefreshToken', { RefreshToken: tokens.RefreshToken })).status).toBe(200);

    const usersDir = path.join(first.stateDir, 'cognito', 'users');
    const files = readdirSync(usersDir);
    expect(files).toEqual([`${sub}.json`]);
    const stored = readFileSync(path.join(usersDir, files[0]!), 'utf8');
    expect(stored).not.toContain(password);
    expect(stored).not.toContain(tokens.RefreshToken);
    expect(JSON.parse(stored)).toMatchObject({ email, status: 'CONFIRMED', saltHex: expect.any(String), verifierHex: expect.any(String) });
  });
});

describe('Refusals at the API', () => {
  it.each([
    ['USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH flow not enabled for this client'],
    ['USER_AUTH', 'USER_AUTH flow not enabled for this client'],
    ['CUSTOM_AUTH', 'CUSTOM_AUTH flow not enabled for this client'],
    ['ADMIN_USER_PASSWORD_AUTH', 'Initiate Auth method not supported.'],
  ])('refuses %s, which the app client does not enable', async (flow, message) => {
    const server = await startPool();
    const { email } = await confirmedUser(server);
    const answer = await server.clientCall('InitiateAuth', { AuthFlow: flow, AuthParameters: { USERNAME: email, PASSWORD: password } });
    expect(refusal(answer)).toEqual({ status: 400, type: 'InvalidParameterException', message });
  });

  it('answers a browser preflight and its POST with CORS, as Cognito does, so a web app on another origin signs in', async () => {
    const server = await startPool();
    const preflight = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target,x-amz-user-agent,cache-control' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-amz-target,x-amz-user-agent,cache-control');
    const refused = await fetch(server.url, { method: 'POST', headers: { origin: 'https://app.example', 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' }, body: '{}' });
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses another client id with ResourceNotFoundException', async () => {
    const server = await startPool();
    const answer = await server.call('SignUp', { ClientId: 'notourclient', Username: newEmail(), Password: password });
    expect(refusal(answer)).toEqual({ status: 400, type: 'ResourceNotFoundException', message: 'User pool client notourclient does not exist.' });
  });

  it('answers an operation it does not serve, and a body that is not JSON, in Cognito error shape', async () => {
    const server = await startPool();
    expect(refusal(await server.clientCall('AdminCreateUser', {})).type).toBe('UnknownOperationException');
    const response = await fetch(server.url, { method: 'POST', headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' }, body: '{oops' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe('SerializationException');
  });

  it("answers a failure of its own with Cognito's InternalErrorException and nothing of the failure", async () => {
    // Arrange: a service that fails as a full disk would
    const failing = { ...userPoolApi({ pool: openLocalUserPool({ stateDir: workDir, region, origin: 'https://127.0.0.1:1' }), users: new UserDirectory(workDir), log: () => {} }) };
    const api = identityProviderHandler({ service: { ...failing, call: () => { throw new Error('ENOSPC: /secret/path/users.json'); } } });
    const logged: unknown[] = [];
    const server = createServer(guardRequests(api, { service: 'test pool', log: (error) => logged.push(error), internalError: (_, response) => sendInternalError(response) }));
    servers.push(server);
    const url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}${identityProviderPath}`;

    // Act
    const response = await fetch(url, { method: 'POST', headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' }, body: '{}' });

    // Assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ __type: 'InternalErrorException', message: 'An internal error occurred.' });
    expect(logged).toHaveLength(1);
  });

  it('refuses a body past 64 KiB with 413, unread, and keeps serving', async () => {
    const server = await startPool();
    const status = await postOversizedBody(new URL(server.url), { 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' }, 2);
    expect(status).toBe(413);
    expect((await signUp(server, newEmail())).status).toBe(200);
  });

  it('answers TooManyRequestsException past the category quota, before any SRP work', async () => {
    // Arrange: UserAuthentication at 2 requests a second, on a clock that does not move
    const server = await startPool({ quota: new RequestQuota({ UserAuthentication: 2 }, () => 0) });
    const { email } = await confirmedUser(server);
    const client = await amplifySrpClient(server.pool.userPoolId);
    const initiate = () => server.clientCall('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: email, SRP_A: client.srpA } });

    // Act
    const answers = [await initiate(), await initiate(), await initiate()];

    // Assess: SignUp and ConfirmSignUp (UserCreation) were not charged to it
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400]);
    expect(refusal(answers[2]!)).toEqual({ status: 400, type: 'TooManyRequestsException', message: 'Too many requests' });
  });
});
