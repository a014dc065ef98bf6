/**
 * The API's rate-based rule on the local AppSync (api/rate-limit.ts), over HTTPS and WSS from 127.0.0.1, with the
 * smallest limit and window AWS WAF allows (10 per 60 s) and the limiter's clock in the test's hands: requests
 * under the limit are answered, the one over it gets AppSync's WAF answer before any auth or body is looked at,
 * SigV4-signed POSTs without an API key are neither counted nor blocked, realtime connects count and are refused alike (a forged
 * SigV4 Authorization header on one too), and the window passing lets the address back in.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { localIdentities } from '../../local/iam/function-roles.ts';
import { fakeRuntime, labeledPublishInput, sampleImage } from './fake-runtime.ts';
import { post, postSigned, type RawResponse } from './https-client.ts';
import { startedStateDir } from './state-dir.ts';
import { realtimeHandshake } from '../support/realtime-handshake.ts';

const region = 'us-east-1';
const apiKey = 'da2-ratelimittestapikey000000';
const admin = { accessKeyId: 'LKIARATELIMITTEST001', secretAccessKey: 'local/rate/limit/secret/key/0123456789ab' };
const identities = localIdentities(admin, { region, bucketName: 'bucket', tableName: 'table' });
const rule = { limit: 10, windowSeconds: 60 };
const wafAnswer = { errors: [{ errorType: 'WAFForbiddenException', message: '403 Forbidden' }] };
const input = labeledPublishInput();
const publishMutation = 'mutation Publish($input: ImageLabeledInput!) { publishImageLabeled(input: $input) { id status } }';

describe('Local AppSync: the WAF rate-based rule', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;
  let nowMs = Date.parse('2026-12-01T09:00:00.000Z');

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-rate-limit-', region);
    appsync = await startLocalAppSync({
      stateDir,
      port: 0,
      region,
      apiKey,
      credentials: identities.directory,
      runtime: fakeRuntime(),
      rateLimit: rule,
      rateLimitOptions: { now: () => nowMs },
    });
    ca = readFileSync(appsync.caPath, 'utf8');
  });
  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const query = (key = apiKey): Promise<RawResponse> =>
    post(appsync.graphqlUrl, ca, JSON.stringify({ query: `{ image(id: "${sampleImage.id}") { id } }` }), { 'content-type': 'application/json', 'x-api-key': key });
  const publishSigned = () => postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input } }, { region, credentials: identities.functionCredentials.labeler });
  /**
   * A realtime connect with the API key in its subprotocol (as aws-amplify sends it), and any HTTP headers given: its
   * handshake's HTTP status, 101 when it upgraded, and the refusal's body.
   */
  const connect = (headers: Record<string, string> = {}) =>
    realtimeHandshake({ realtimeUrl: appsync.realtimeUrl, host: new URL(appsync.graphqlUrl).host, apiKey, ca, headers });

  it('answers an address up to the limit, refuses the next with the WAF answer, and lets it back in once the window has passed', async () => {
    // Arrange: 9 queries and a realtime connect (10 counted), and 5 signed publishes between them, which do not count.
    const answered: number[] = [];
    for (let i = 0; i < 9; i++) {
      answered.push((await query()).status);
      if (i % 2 === 0) expect((await publishSigned()).json()).toEqual({ data: { publishImageLabeled: { id: 'img-1', status: 'LABELED' } } });
    }
    const connected = await connect();

    // Act: the 11th counted request, a query with a wrong key (WAF comes before auth), and a realtime connect.
    const over = await query();
    const badKey = await query('da2-notthekey0000000000000000');
    // A forged SigV4 Authorization beside the API key is counted (and so refused) like any API-key request.
    const forged = await post(appsync.graphqlUrl, ca, JSON.stringify({ query: '{ __typename }' }), {
      'content-type': 'application/json',
      'x-api-key': apiKey,
      authorization: 'AWS4-HMAC-SHA256 Credential=LKIAFORGED/20261201/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=00',
    });
    const refusedConnect = await connect();

    // Assess
    expect(answered).toEqual(Array<number>(9).fill(200));
    expect(connected.status).toBe(101);
    expect(over.status).toBe(403);
    expect(over.json()).toEqual(wafAnswer);
    expect(over.headers['x-amzn-errortype']).toBe('WAFForbiddenException');
    expect(badKey.status).toBe(403);
    expect(badKey.json()).toEqual(wafAnswer);
    expect(forged.status).toBe(403);
    expect(forged.json()).toEqual(wafAnswer);
    expect(refusedConnect).toEqual({ status: 403, body: JSON.stringify(wafAnswer), errorType: 'WAFForbiddenException' });
    // A signed request from the blocked address still goes through.
    expect((await publishSigned()).json()).toEqual({ data: { publishImageLabeled: { id: 'img-1', status: 'LABELED' } } });

    // Act: 59 s later the requests (refused ones included) still count; at 60 s they have left the window.
    nowMs += 59_000;
    const stillBlocked = await query();
    nowMs += 1_000;
    const back = await query();

    // Assess
    expect(stillBlocked.status).toBe(403);
    expect(back.status).toBe(200);
    expect(back.json()).toEqual({ data: { image: { id: sampleImage.id } } });
  });

  it('counts a realtime connect that carries a forged SigV4 Authorization header beside its API key', async () => {
    // Arrange: a fresh window for the address, and connects whose HTTP Authorization says SigV4 while the key
    // AppSync connects them with is in the subprotocol, out of the rule's sight.
    nowMs += 60_000;
    const forged = { authorization: 'AWS4-HMAC-SHA256 Credential=LKIAFORGED/20261201/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=00' };
    const statuses: number[] = [];

    // Act
    for (let i = 0; i < rule.limit; i++) statuses.push((await connect(forged)).status);
    const over = await connect(forged);

    // Assess
    expect(statuses).toEqual(Array<number>(rule.limit).fill(101));
    expect(over).toEqual({ status: 403, body: JSON.stringify(wafAnswer), errorType: 'WAFForbiddenException' });
  });
});
