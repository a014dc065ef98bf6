/**
 * The local AppSync's GraphQL endpoint and its request bodies, over HTTPS as clients reach it: what the body
 * cannot change (no credential, a wrong API key or token, a SigV4 key it does not know, a declared length past
 * 1 MiB) is answered before the body is read: the requests below send only part of theirs, so a server that
 * waited for the rest would never answer. A body it reads is charged to the stack's shared budget and dropped
 * when it pauses too long, or when it falls behind the minimum rate while the budget is more than half held.
 * Nothing here waits on a clock: the idle timeout is made short, and only its outcome is checked.
 */
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { BodyBudget } from '../../local/http-body.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { drip, heldRequest } from '../support/held-body.ts';
import { fakeRuntime, sampleImage } from './fake-runtime.ts';
import { post, postSigned } from './https-client.ts';
import { startedStateDir } from './state-dir.ts';

const region = 'us-east-1';
const apiKey = 'da2-requestbodytestkey00000000';
const credentials = { accessKeyId: 'LKIABODYAPPSYNC00001', secretAccessKey: 'appsync-body-test-secret-0123456789abcdefg' };
const stranger = { accessKeyId: 'LKIABODYSTRANGER0001', secretAccessKey: 'appsync-body-stranger-0123456789abcdefghi' };
const kibibyte = 1024;
const mebibyte = 1024 * kibibyte;
const imageQuery = JSON.stringify({ query: `{ image(id: "${sampleImage.id}") { id } }` });

/**
 * A POST of JSON to the local AppSync that declares a body (a length, or chunked when `declaredBytes` is absent) and
 * sends only `sentBytes` of it, holding the rest back (../support/held-body.ts), its answer read as JSON.
 */
function heldPost(url: string, ca: string, headers: Record<string, string>, body: { readonly declaredBytes?: number; readonly sentBytes: number }) {
  const held = heldRequest(url, { path: new URL(url).pathname, ca, headers: { 'content-type': 'application/json', ...headers }, ...body });
  const answer = held.answer.then((answer) => ({ status: answer.status, headers: answer.headers, json: JSON.parse(answer.body) as unknown }));
  // A refusal may end the connection while the rest is still unsent: that is the point, not a failure.
  answer.catch(() => undefined);
  return { ...held, answer };
}

/** SigV4 headers for a POST of `body` to `url` by `signer`; the request may then send another body. */
async function sigV4Headers(url: string, signer: typeof credentials, body: string): Promise<Record<string, string>> {
  const target = new URL(url);
  const signed = await new SignatureV4({ service: 'appsync', region, credentials: signer, sha256: Sha256 }).sign(
    new HttpRequest({ method: 'POST', protocol: target.protocol, hostname: target.hostname, port: Number(target.port), path: target.pathname, headers: { host: target.host }, body }),
  );
  return Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
}

const errorBody = (errorType: string, message: string) => ({ errors: [{ errorType, message }] });
const unauthorized = errorBody('UnauthorizedException', 'You are not authorized to make this call.');
const tooLarge = errorBody('PayloadTooLargeException', `Request body exceeds the ${mebibyte} bytes limit.`);

describe('local AppSync, request bodies', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;
  /** The server's own budget, 1.5 MiB: room for one body of the most AppSync reads. */
  const budget = new BodyBudget(1.5 * mebibyte);

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-body-', region);
    appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey, credentials: credentialStore(credentials), runtime: fakeRuntime(), bodyBudget: budget });
    ca = readFileSync(appsync.caPath, 'utf8');
  });
  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('refuses a request without a credential, with a wrong API key or a bad token while its body is still held back', async () => {
    const refused: readonly Record<string, string>[] = [{}, { 'x-api-key': 'da2-notthekey000000000000000' }, { authorization: 'not-a-token' }];
    for (const headers of refused) {
      // Act
      const held = heldPost(appsync.graphqlUrl, ca, headers, { declaredBytes: mebibyte, sentBytes: 64 * kibibyte });
      const answer = await held.answer;

      // Assess
      expect([answer.status, answer.headers['x-amzn-errortype'], answer.json]).toEqual([401, 'UnauthorizedException', unauthorized]);
      expect(budget.heldBytes).toBe(0);
      held.destroy();
    }
  });

  it('refuses a chunked body without a credential unread, and ends the connection', async () => {
    // Act
    const held = heldPost(appsync.graphqlUrl, ca, {}, { sentBytes: 1000 * kibibyte });
    const answer = await held.answer;

    // Assess
    expect([answer.status, answer.json]).toEqual([401, unauthorized]);
    expect(answer.headers.connection).toBe('close');
    await held.closed;
    expect(budget.heldBytes).toBe(0);
  });

  it('refuses a SigV4 request by a key it does not know before reading its body', async () => {
    // Prepare
    const headers = await sigV4Headers(appsync.graphqlUrl, stranger, imageQuery);

    // Act
    const held = heldPost(appsync.graphqlUrl, ca, headers, { declaredBytes: mebibyte, sentBytes: 64 * kibibyte });
    const answer = await held.answer;

    // Assess
    expect([answer.status, answer.json]).toEqual([403, errorBody('UnrecognizedClientException', 'The security token included in the request is invalid.')]);
    expect(budget.heldBytes).toBe(0);
    held.destroy();
  });

  it('checks a known key’s signature over the body once it is read', async () => {
    // Act
    const signed = await postSigned(appsync.graphqlUrl, ca, JSON.parse(imageQuery), { region, credentials });
    const headers = await sigV4Headers(appsync.graphqlUrl, credentials, imageQuery);
    const forged = await post(appsync.graphqlUrl, ca, imageQuery.replace(sampleImage.id, 'img-other'), headers);

    // Assess
    // Authenticated (200); `image` itself is for API-key and user-pool callers, so AWS_IAM gets AppSync's field error.
    expect(signed.status).toBe(200);
    expect(signed.json()).toMatchObject({ data: { image: null }, errors: [{ errorType: 'Unauthorized' }] });
    expect(forged.status).toBe(403);
    expect(forged.json()).toMatchObject({ errors: [{ errorType: 'InvalidSignatureException' }] });
    expect(budget.heldBytes).toBe(0);
  });

  it('refuses a body past 1 MiB with 413: unread when its length says so, read no further when chunked', async () => {
    // Act
    const declared = heldPost(appsync.graphqlUrl, ca, { 'x-api-key': apiKey }, { declaredBytes: mebibyte + 1, sentBytes: 64 * kibibyte });
    const declaredAnswer = await declared.answer;
    const chunked = heldPost(appsync.graphqlUrl, ca, { 'x-api-key': apiKey }, { sentBytes: mebibyte + 1 });
    const chunkedAnswer = await chunked.answer;

    // Assess
    expect([declaredAnswer.status, declaredAnswer.json]).toEqual([413, tooLarge]);
    await declared.closed;
    expect([chunkedAnswer.status, chunkedAnswer.json]).toEqual([413, tooLarge]);
    await chunked.closed;
    expect(budget.heldBytes).toBe(0);
  });

  it('answers a POST to another path 404 without reading its chunked body, and ends the connection', async () => {
    // Act
    const held = heldPost(appsync.graphqlUrl.replace('/graphql', '/nope'), ca, { 'x-api-key': apiKey }, { sentBytes: 64 * kibibyte });
    const answer = await held.answer;

    // Assess
    expect([answer.status, answer.json]).toEqual([404, errorBody('NotFoundException', 'Not Found')]);
    expect(answer.headers.connection).toBe('close');
    await held.closed;
  });

  it('answers a GET, which has no body, 405 and keeps its connection', async () => {
    // Prepare
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });

    // Act
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const outgoing = request(appsync.graphqlUrl, { method: 'GET', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });

    // Assess
    expect(answer).toEqual({ status: 405, connection: 'keep-alive' });
    agent.destroy();
  });

  it('serves an API-key request whose body arrives whole, and gives its bytes back', async () => {
    const response = await post(appsync.graphqlUrl, ca, imageQuery, { 'content-type': 'application/json', 'x-api-key': apiKey });

    expect([response.status, response.json()]).toEqual([200, { data: { image: { id: sampleImage.id } } }]);
    expect(budget.heldBytes).toBe(0);
  });
});

describe('local AppSync, request bodies past the budget or stalled', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;
  const budget = new BodyBudget(64 * kibibyte);

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-body-budget-', region);
    appsync = await startLocalAppSync({
      stateDir,
      port: 0,
      region,
      apiKey,
      credentials: credentialStore(credentials),
      runtime: fakeRuntime(),
      bodyBudget: budget,
      bodyIdleTimeoutMs: 50,
    });
    ca = readFileSync(appsync.caPath, 'utf8');
  });
  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('refuses a body that does not fit the shared budget with 429, unread when its length says so', async () => {
    const throttled = errorBody('TooManyRequestsException', 'Rate exceeded');

    // Act
    const declared = heldPost(appsync.graphqlUrl, ca, { 'x-api-key': apiKey }, { declaredBytes: 100 * kibibyte, sentBytes: kibibyte });
    const declaredAnswer = await declared.answer;
    const chunked = heldPost(appsync.graphqlUrl, ca, { 'x-api-key': apiKey }, { sentBytes: 100 * kibibyte });
    const chunkedAnswer = await chunked.answer;

    // Assess
    expect([declaredAnswer.status, declaredAnswer.json]).toEqual([429, throttled]);
    expect([chunkedAnswer.status, chunkedAnswer.json]).toEqual([429, throttled]);
    await chunked.closed;
    expect(budget.heldBytes).toBe(0);
    declared.destroy();
  });

  it('drops the connection of a body that pauses past the idle timeout, and holds none of it', async () => {
    // Act
    const held = heldPost(appsync.graphqlUrl, ca, { 'x-api-key': apiKey }, { declaredBytes: 10 * kibibyte, sentBytes: kibibyte });

    // Assess
    await held.closed;
    await expect(held.answer).rejects.toThrow();
    expect(budget.heldBytes).toBe(0);
  });
});

describe('local AppSync, request bodies slower than the minimum rate', () => {
  // An idle timeout of 1 s and a minimum rate of 8 KiB/s, on a budget of 64 KiB: a body of 40 KiB holds more than
  // half of it (the rate applies), one of 16 KiB less. Each body is spaces, then the query (JSON allows leading
  // whitespace): all of it but its last bytes at once, then those a space every 100 ms, never a pause of 1 s.
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;
  const budget = new BodyBudget(64 * kibibyte);
  const pace = { bodyIdleTimeoutMs: 1000, bodyMinBytesPerSecond: 8 * kibibyte };

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-body-rate-', region);
    appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey, credentials: credentialStore(credentials), runtime: fakeRuntime(), bodyBudget: budget, ...pace });
    ca = readFileSync(appsync.caPath, 'utf8');
  });
  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** A POST of `bytes` (the query last) with `headers`, its last `trailing` spaces and the query sent a space every 100 ms. */
  function trickledPost(headers: Record<string, string>, bytes: number, trailing: number) {
    const query = Buffer.from(imageQuery);
    const held = heldPost(appsync.graphqlUrl, ca, headers, { declaredBytes: bytes, sentBytes: bytes - trailing - query.length });
    const { done, sent } = drip(held, trailing, query);
    const outcome = held.answer.then(
      (answer) => ({ status: answer.status }),
      () => ({ dropped: true }),
    );
    return { held, outcome, done, sent };
  }

  it('serves a body that keeps to its configured rate while the budget is under pressure', async () => {
    // 40 KiB in 3 s: within the 1 s + 5 s that 8 KiB/s allows (the default 128 KiB/s would allow 1.3 s).
    const trickled = trickledPost({ 'x-api-key': apiKey }, 40 * kibibyte, 30);

    const outcome = await trickled.outcome;
    await trickled.done;

    expect([outcome, trickled.sent()]).toEqual([{ status: 200 }, 30]);
    expect(budget.heldBytes).toBe(0);
    trickled.held.destroy();
  });

  it('drops a body behind the minimum rate while the budget is under pressure, and holds none of it', async () => {
    // 40 KiB in 10 s: behind 8 KiB/s from 6 s on, with 40 of the 64 KiB held.
    const trickled = trickledPost({ 'x-api-key': apiKey }, 40 * kibibyte, 100);

    const outcome = await trickled.outcome;
    await trickled.held.closed;

    expect([outcome, trickled.sent() < 100]).toEqual([{ dropped: true }, true]);
    expect(budget.heldBytes).toBe(0);
    trickled.held.destroy();
  });

  it('serves a body behind the minimum rate while the budget is at most half held, as AWS would', async () => {
    // 16 KiB in 5 s: behind 8 KiB/s from 3 s on, but only 16 of the 64 KiB are held.
    const trickled = trickledPost({ 'x-api-key': apiKey }, 16 * kibibyte, 50);

    const outcome = await trickled.outcome;
    await trickled.done;

    expect([outcome, trickled.sent()]).toEqual([{ status: 200 }, 50]);
    expect(budget.heldBytes).toBe(0);
    trickled.held.destroy();
  });

  it('drops the connection of a refused body it drains once the drain falls behind the minimum rate', async () => {
    // No credential: refused unread, its 40 KiB drained; behind 8 KiB/s, whatever the budget holds, from ~6 s on.
    const trickled = trickledPost({}, 40 * kibibyte, 100);

    const outcome = await trickled.outcome;
    const first = await Promise.race([trickled.held.closed.then(() => 'connection closed'), trickled.done.then(() => 'body sent whole')]);

    expect([outcome, first, trickled.sent() < 100]).toEqual([{ status: 401 }, 'connection closed', true]);
    expect(budget.heldBytes).toBe(0);
    trickled.held.destroy();
  });
});
