/**
 * The endpoints that buffer request bodies (DynamoDB, Lambda Invoke, Rekognition, S3), over HTTP as clients
 * reach them: what AWS refuses whatever the body is refused before the body is read (the requests below send
 * only part of theirs, so a server that waited for the rest would never answer), and the bytes buffered at
 * once stay within the shared budget, past which each service answers its own throttling error.
 *
 * Each server gets a budget of 1.5 MiB here (the stack's is 256 MiB): one request that has sent 1 MiB of its
 * body leaves no room for a second. The budget is charged for the bytes that arrive, not for what a request
 * declares: headers alone hold nothing. A request that asks for `100 Continue` gets it as Node calls the request
 * listener; since the servers run in this process, the listener has run to its first await by then. The budgets
 * say when bytes have arrived (WatchedBudget), so nothing here waits on a clock, but the bodies that stop arriving
 * or trickle, which servers with a short idle timeout and a high minimum rate drop (the outcome asserted, not when).
 * The minimum rate applies only while a budget is more than half held: 1 MiB of the 1.5 MiB is, 512 KiB is not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { createServer, type Server } from 'node:http';
import { BodyBudget, BodyGoneError, readBoundedBody } from '../../local/http-body.ts';
import { listen } from '../../local/listen.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { startLocalLambdaApi, type LocalLambdaApi } from '../../local/lambda/api.ts';
import type { VisionEngine } from '../../local/rekognition/engine/engine.ts';
import { startLocalRekognition, type LocalRekognition } from '../../local/rekognition/index.ts';
import { startLocalS3, type LocalS3 } from '../../local/s3/index.ts';
import { drip, heldRequest, type HeldAnswer, type HeldRequest } from '../support/held-body.ts';

const region = 'us-east-1';
const keyPair: LocalCredentials = { accessKeyId: 'LKIABODYTEST0000001', secretAccessKey: 'request-bodies-secret-0123456789abcdefgh' };
const stranger: LocalCredentials = { accessKeyId: 'LKIABODYSTRANGER001', secretAccessKey: 'request-bodies-other-0123456789abcdefghi' };
const mebibyte = 1024 * 1024;
const bucket = 'labelcast-uploads';

/** A vision engine the tests never reach: every request here is refused, or fails, before any analysis. */
const unusedEngine: VisionEngine = {
  ready: new Promise(() => undefined),
  analyze: () => Promise.reject(new Error('no analysis in these tests')),
  close: async () => undefined,
};

interface Service {
  readonly name: string;
  readonly endpoint: () => string;
  readonly budget: WatchedBudget;
  readonly method: string;
  readonly path: string;
  readonly signingName: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The most body the service reads: past it, a refused request's connection is closed. */
  readonly maxBodyBytes: number;
}

interface JsonService extends Service {
  /** Status and error code of a request with no signature at all, and of one by a key the service does not know. */
  readonly missingToken: { readonly status: number; readonly code: string; readonly message: string };
  readonly unknownKey: { readonly status: number; readonly code: string };
  readonly throttled: { readonly status: number; readonly code: string };
  readonly codeOf: (answer: HeldAnswer) => string | undefined;
}

async function signedHeaders(service: Service, endpoint: string, credentials: LocalCredentials, body: Buffer): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: service.signingName, region, credentials: { ...credentials }, sha256: Sha256, uriEscapePath: service.signingName !== 's3' });
  const signed = await signer.sign(
    new HttpRequest({
      method: service.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: service.path,
      headers: { host: url.host, ...service.headers },
      body,
    }),
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

const jsonCode = (answer: HeldAnswer) => {
  const type = (JSON.parse(answer.body) as { __type?: string }).__type;
  return answer.headers['x-amzn-errortype']?.toString().split(':')[0] ?? type?.slice(type.lastIndexOf('#') + 1);
};

let dataDir: string;
let dynamodb: LocalDynamoDb;
let lambda: LocalLambdaApi;
let rekognition: LocalRekognition;
let s3: LocalS3;

/** A budget that says when it holds some number of bytes: the test's sign that a body has reached the server. */
class WatchedBudget extends BodyBudget {
  readonly #waiters: { readonly done: () => boolean; readonly resolve: () => void }[] = [];

  public override take(bytes: number): boolean {
    const taken = super.take(bytes);
    this.#wake();
    return taken;
  }

  public override release(bytes: number): void {
    super.release(bytes);
    this.#wake();
  }

  /** Settles once at least `bytes` are held. */
  public holding(bytes: number): Promise<void> {
    return this.#until(() => this.heldBytes >= bytes);
  }

  #until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ done, resolve }));
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (!waiter.done()) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

const budget = () => new WatchedBudget(1.5 * mebibyte);
const budgets = { dynamodb: budget(), lambda: budget(), rekognition: budget(), s3: budget() };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'labelcast-request-bodies-'));
  const credentials = credentialStore(keyPair);
  dynamodb = await startLocalDynamoDb({ dataDir: path.join(dataDir, 'dynamodb'), port: 0, region, credentials, bodyBudget: budgets.dynamodb });
  lambda = await startLocalLambdaApi({
    port: 0,
    region,
    credentials,
    functions: ['echo'],
    runtime: { invoke: async (_name, event) => event, invokeAsync: async () => undefined },
    bodyBudget: budgets.lambda,
  });
  rekognition = await startLocalRekognition({
    port: 0,
    region,
    credentials,
    admin: credentials,
    readObject: async () => undefined,
    engine: unusedEngine,
    bodyBudget: budgets.rekognition,
  });
  s3 = await startLocalS3({
    dataDir: path.join(dataDir, 's3'),
    port: 0,
    region,
    credentials,
    buckets: [{ name: bucket }],
    maxObjectBytes: 4 * mebibyte,
    onObjectCreated: () => undefined,
    bodyBudget: budgets.s3,
  });
});

afterAll(async () => {
  await Promise.all([dynamodb?.close(), lambda?.close(), rekognition?.close(), s3?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});

const jsonServices: readonly JsonService[] = [
  {
    name: 'DynamoDB',
    endpoint: () => dynamodb.endpoint,
    budget: budgets.dynamodb,
    method: 'POST',
    path: '/',
    signingName: 'dynamodb',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
    maxBodyBytes: 16 * mebibyte,
    missingToken: { status: 400, code: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' },
    unknownKey: { status: 400, code: 'UnrecognizedClientException' },
    throttled: { status: 400, code: 'RequestLimitExceeded' },
    codeOf: jsonCode,
  },
  {
    name: 'Lambda Invoke',
    endpoint: () => lambda.endpoint,
    budget: budgets.lambda,
    method: 'POST',
    path: '/2015-03-31/functions/echo/invocations',
    signingName: 'lambda',
    headers: { 'content-type': 'application/json' },
    maxBodyBytes: 6 * mebibyte + 1,
    missingToken: { status: 403, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
    unknownKey: { status: 403, code: 'UnrecognizedClientException' },
    throttled: { status: 429, code: 'TooManyRequestsException' },
    codeOf: jsonCode,
  },
  {
    name: 'Rekognition',
    endpoint: () => rekognition.endpoint,
    budget: budgets.rekognition,
    method: 'POST',
    path: '/',
    signingName: 'rekognition',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'RekognitionService.DetectLabels' },
    maxBodyBytes: 8 * mebibyte,
    missingToken: { status: 400, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
    unknownKey: { status: 400, code: 'UnrecognizedClientException' },
    throttled: { status: 500, code: 'ThrottlingException' },
    codeOf: jsonCode,
  },
];

const s3Service: Service = {
  name: 'S3',
  endpoint: () => s3.endpoint,
  budget: budgets.s3,
  method: 'PUT',
  path: `/${bucket}/uploads/held.jpg`,
  signingName: 's3',
  headers: { 'content-type': 'image/jpeg', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  maxBodyBytes: 4 * mebibyte,
};

/**
 * Two requests of 1 MiB pass their headers with the budget empty; the first sends all but its last byte, which
 * the budget holds, and the second, sent whole, runs past it and is refused with `expectThrottled` halfway,
 * its bytes let go; a third, declaring 1 MiB while the first holds, is refused before a byte is read. The
 * first is served once it ends, and gives its bytes back; a fourth is then served too.
 */
async function checkBudget(service: Service, expectThrottled: (answer: HeldAnswer) => void, expectServed: (answer: HeldAnswer) => void) {
  const body = Buffer.alloc(mebibyte, 0x20);
  const headers = await signedHeaders(service, service.endpoint(), keyPair, body);
  const request = (expectContinue: boolean) =>
    heldRequest(service.endpoint(), { method: service.method, path: service.path, headers, declaredBytes: mebibyte, sentBytes: 0, expectContinue });

  const holding = request(true);
  const overflowing = request(true);
  await Promise.all([holding.continued, overflowing.continued]);
  expect(service.budget.heldBytes).toBe(0);

  holding.write(body.subarray(0, mebibyte - 1));
  await service.budget.holding(mebibyte - 1);
  overflowing.finish(body);
  expectThrottled(await overflowing.answer);
  expect(service.budget.heldBytes).toBe(mebibyte - 1);

  const refused = request(false);
  refused.finish(body);
  expectThrottled(await refused.answer);

  holding.finish(body.subarray(mebibyte - 1));
  expectServed(await holding.answer);
  expect(service.budget.heldBytes).toBe(0);

  const after = request(false);
  after.finish(body);
  expectServed(await after.answer);
  for (const each of [holding, overflowing, refused, after]) each.destroy();
}

/**
 * Requests that send their headers and 1 MiB of declared body, but none of it, each answered (or left
 * waiting) by `service`: while they wait, the budget holds nothing, and a signed request of 1 MiB is served.
 */
async function checkHeadersHoldNothing(service: Service, waiting: readonly HeldRequest[], expectServed: (answer: HeldAnswer) => void) {
  await Promise.all(waiting.map((each) => each.continued));
  expect(service.budget.heldBytes).toBe(0);
  const body = Buffer.alloc(mebibyte, 0x20);
  const served = heldRequest(service.endpoint(), {
    method: service.method,
    path: service.path,
    headers: await signedHeaders(service, service.endpoint(), keyPair, body),
    declaredBytes: mebibyte,
    sentBytes: 0,
  });
  served.finish(body);
  expectServed(await served.answer);
  served.destroy();
}

describe.each(jsonServices)('$name', (service) => {
  it('refuses a request without a signature before reading its body, then drains a body it may read', async () => {
    const unsigned = { method: service.method, path: service.path, headers: service.headers };
    // The headers and 256 KiB at once: more than Node buffers for a request before it stops reading its socket.
    const sentBytes = 256 * 1024;
    const held = heldRequest(service.endpoint(), { ...unsigned, declaredBytes: mebibyte, sentBytes });

    const answer = await held.answer;
    held.finish(Buffer.alloc(mebibyte - sentBytes, 0x20));
    await held.freed;
    // Over the same connection: answered only if the server read the rest of the first body past its answer
    // (else it reads nothing more, and cuts the connection at its keep-alive timeout).
    const next = heldRequest(service.endpoint(), { ...unsigned, agent: held.agent, declaredBytes: 1024, sentBytes: 0 });
    next.finish(Buffer.alloc(1024, 0x20));
    const nextAnswer = await next.answer;

    expect([answer.status, service.codeOf(answer)]).toEqual([service.missingToken.status, service.missingToken.code]);
    const { message, Message } = JSON.parse(answer.body) as { message?: string; Message?: string };
    expect(message ?? Message).toBe(service.missingToken.message);
    expect(answer.headers.connection).not.toBe('close');
    expect(service.budget.heldBytes).toBe(0);
    expect([next.reusedSocket(), nextAnswer.status]).toEqual([true, service.missingToken.status]);
    held.destroy();
  });

  it('refuses a key it does not know before reading a body longer than it reads, and ends the connection', async () => {
    const headers = await signedHeaders(service, service.endpoint(), stranger, Buffer.alloc(0));
    const held = heldRequest(service.endpoint(), {
      method: service.method,
      path: service.path,
      headers,
      declaredBytes: service.maxBodyBytes + mebibyte,
      sentBytes: 1024,
    });

    const answer = await held.answer;

    expect([answer.status, service.codeOf(answer)]).toEqual([service.unknownKey.status, service.unknownKey.code]);
    expect(answer.headers.connection).toBe('close');
    await held.closed;
    held.destroy();
  });

  it('holds no budget for a known key signed with a wrong secret while it sends only its headers', async () => {
    const forged: LocalCredentials = { accessKeyId: keyPair.accessKeyId, secretAccessKey: 'not-the-secret-0123456789abcdefghijklmn' };
    const body = Buffer.alloc(mebibyte, 0x20);
    const waiting = heldRequest(service.endpoint(), {
      method: service.method,
      path: service.path,
      headers: await signedHeaders(service, service.endpoint(), forged, body),
      declaredBytes: mebibyte,
      sentBytes: 0,
      expectContinue: true,
    });

    await checkHeadersHoldNothing(service, [waiting], (answer) => expect(service.codeOf(answer)).not.toBe(service.throttled.code));
    waiting.finish(body);
    const answer = await waiting.answer;

    expect([answer.status, service.codeOf(answer)]).toEqual([service.unknownKey.status, 'InvalidSignatureException']);
    expect(service.budget.heldBytes).toBe(0);
    waiting.destroy();
  });

  it("refuses a body past the shared budget, as its bytes arrive or before, with the service's throttling error", async () => {
    await checkBudget(
      service,
      (answer) => expect([answer.status, service.codeOf(answer)]).toEqual([service.throttled.status, service.throttled.code]),
      (answer) => expect(service.codeOf(answer)).not.toBe(service.throttled.code),
    );
  });
});

describe('S3', () => {
  it('refuses a PUT past the shared budget unread with 503 SlowDown, and stores it once there is room', async () => {
    await checkBudget(
      s3Service,
      (answer) => {
        expect(answer.status).toBe(503);
        expect(answer.body).toContain('<Code>SlowDown</Code>');
      },
      (answer) => expect(answer.status).toBe(200),
    );
  });
});

describe('S3, refusing unread', () => {
  // Every S3 error ends its connection (errors.ts's sendS3Error), so the body left is never read.
  it('answers an unsigned PUT while its body is still held back, and ends the connection', async () => {
    const held = heldRequest(s3.endpoint, { method: 'PUT', path: s3Service.path, headers: { 'content-type': 'image/jpeg' }, declaredBytes: mebibyte, sentBytes: 1024 });

    const answer = await held.answer;

    expect([answer.status, answer.headers.connection]).toEqual([403, 'close']);
    expect(answer.body).toContain('<Code>AccessDenied</Code>');
    await held.closed;
    expect(s3Service.budget.heldBytes).toBe(0);
    held.destroy();
  });
});

describe('DynamoDB, methods other than POST', () => {
  it('answers an anonymous GET or PUT as DynamoDB does without reading its body, and holds none of it', async () => {
    const [service] = jsonServices;
    const anonymous = (method: string) =>
      heldRequest(service.endpoint(), { method, path: '/', headers: {}, declaredBytes: mebibyte, sentBytes: 0, expectContinue: true });
    const get = anonymous('GET');
    const put = anonymous('PUT');

    await checkHeadersHoldNothing(service, [get, put], (answer) => expect(service.codeOf(answer)).not.toBe(service.throttled.code));
    const [getAnswer, putAnswer] = await Promise.all([get.answer, put.answer]);

    expect([getAnswer.status, getAnswer.body]).toEqual([200, 'healthy: dynamodb.us-east-1.amazonaws.com ']);
    expect([putAnswer.status, putAnswer.body]).toEqual([404, '<UnknownOperationException/>\n']);
    for (const each of [get, put]) each.destroy();
  });
});

describe('a body that stops arriving', () => {
  // Servers of their own, with an idle timeout of 1 s instead of 20 and a minimum rate of 512 KiB/s instead of
  // 128: long enough that a body of 1 MiB sent at once is never cut on its way (it may take 3 s), on a loaded
  // machine too.
  const idle = { bodyIdleTimeoutMs: 1000, bodyMinBytesPerSecond: 512 * 1024 };
  const stallBudgets = { dynamodb: budget(), lambda: budget(), rekognition: budget(), s3: budget() };
  let servers:
    | { readonly dynamodb: LocalDynamoDb; readonly lambda: LocalLambdaApi; readonly rekognition: LocalRekognition; readonly s3: LocalS3 }
    | undefined;

  beforeAll(async () => {
    const credentials = credentialStore(keyPair);
    servers = {
      dynamodb: await startLocalDynamoDb({ dataDir: path.join(dataDir, 'dynamodb-idle'), port: 0, region, credentials, bodyBudget: stallBudgets.dynamodb, ...idle }),
      lambda: await startLocalLambdaApi({
        port: 0,
        region,
        credentials,
        functions: ['echo'],
        runtime: { invoke: async (_name, event) => event, invokeAsync: async () => undefined },
        bodyBudget: stallBudgets.lambda,
        ...idle,
      }),
      rekognition: await startLocalRekognition({
        port: 0,
        region,
        credentials,
        admin: credentials,
        readObject: async () => undefined,
        engine: unusedEngine,
        bodyBudget: stallBudgets.rekognition,
        ...idle,
      }),
      s3: await startLocalS3({
        dataDir: path.join(dataDir, 's3-idle'),
        port: 0,
        region,
        credentials,
        buckets: [{ name: bucket }],
        maxObjectBytes: 4 * mebibyte,
        onObjectCreated: () => undefined,
        bodyBudget: stallBudgets.s3,
        ...idle,
      }),
    };
  });

  afterAll(async () => {
    await Promise.all([servers?.dynamodb.close(), servers?.lambda.close(), servers?.rekognition.close(), servers?.s3.close()]);
  });

  const stalling = (name: string, key: Exclude<keyof typeof stallBudgets, 's3'>): JsonService => {
    const service = jsonServices.find((each) => each.name === name);
    if (!service || !servers) throw new Error(`no ${name} server`);
    const server = servers[key];
    return { ...service, endpoint: () => server.endpoint, budget: stallBudgets[key] };
  };
  const stallingS3 = (): Service => {
    const server = servers?.s3;
    if (!server) throw new Error('no S3 server');
    return { ...s3Service, endpoint: () => server.endpoint, budget: stallBudgets.s3 };
  };

  it.each([
    ['DynamoDB', 'dynamodb'],
    ['Lambda Invoke', 'lambda'],
    ['Rekognition', 'rekognition'],
    ['S3', 's3'],
  ] as const)('%s drops a body that never pauses but arrives slower than the minimum rate, and lets its bytes go', async (name, key) => {
    // 1 MiB but its last 100 bytes at once, then those a byte every 100 ms: never a pause of the idle timeout's
    // 1 s, but 1 MiB and 100 bytes in 11 s, under the 512 KiB/s that allows 1 MiB 3 s, with 1 MiB of the 1.5 MiB
    // budget held (the rate applies). Without the rate, it ends and is answered.
    const service = key === 's3' ? stallingS3() : stalling(name, key);
    const body = Buffer.alloc(mebibyte, 0x20);
    const headers = await signedHeaders(service, service.endpoint(), keyPair, body);
    const trailing = 100;
    const trickled = heldRequest(service.endpoint(), { method: service.method, path: service.path, headers, declaredBytes: mebibyte, sentBytes: mebibyte - trailing });
    const dripping = drip(trickled, trailing);

    const outcome = await trickled.answer.then(
      (answer) => ({ answer }),
      () => ({ dropped: true }),
    );
    await trickled.closed;
    await dripping.done;

    // S3 answers RequestTimeout and ends the connection; the JSON services end it unanswered.
    if (key === 's3') {
      expect('answer' in outcome && [outcome.answer.status, /<Code>RequestTimeout<\/Code>/.test(outcome.answer.body)]).toEqual([400, true]);
    } else {
      expect(outcome).toEqual({ dropped: true });
    }
    expect(dripping.sent()).toBeLessThan(trailing);
    expect(service.budget.heldBytes).toBe(0);
    trickled.destroy();
  });

  it.each([
    ['DynamoDB', 'dynamodb'],
    ['Lambda Invoke', 'lambda'],
    ['Rekognition', 'rekognition'],
    ['S3', 's3'],
  ] as const)('%s reads to its end a body slower than the minimum rate while the budget is at most half held, as S3 would', async (name, key) => {
    // 512 KiB but its last 50 bytes at once, then those a byte every 100 ms: 5 s, past the 2 s the rate allows, but
    // 512 KiB is a third of the 1.5 MiB budget. AWS documents only an idle timeout: the body is read and answered.
    const service = key === 's3' ? stallingS3() : stalling(name, key);
    const size = mebibyte / 2;
    const trailing = 50;
    const body = Buffer.alloc(size, 0x20);
    const headers = await signedHeaders(service, service.endpoint(), keyPair, body);
    const trickled = heldRequest(service.endpoint(), { method: service.method, path: service.path, headers, declaredBytes: size, sentBytes: size - trailing });
    const dripping = drip(trickled, trailing);

    const outcome = await trickled.answer.then(
      (answer) => ({ status: answer.status }),
      () => ({ dropped: true }),
    );
    await dripping.done;

    // Answered, not dropped: S3 stores it; the JSON services answer what they make of a body of spaces.
    expect([outcome, dripping.sent()]).toEqual([{ status: key === 's3' ? 200 : expect.any(Number) }, trailing]);
    expect(service.budget.heldBytes).toBe(0);
    trickled.destroy();
  });

  it.each([
    ['DynamoDB', 'dynamodb'],
    ['Rekognition', 'rekognition'],
    ['Lambda Invoke', 'lambda'],
  ] as const)('%s drops the connection of a refused body it drains once the drain falls behind the minimum rate', async (name, key) => {
    // Refused on its headers (no signature), so its body is drained, not read; the first 256 KiB at once, then a
    // byte every 100 ms: never a pause of 1 s, but far behind 512 KiB/s. Undrained, it would hold the connection
    // (Node's own requestTimeout is 300 s); its drain is timed as a body read is, whatever the budget holds.
    const service = stalling(name, key);
    const sentBytes = 256 * 1024;
    const trailing = 100;
    const held = heldRequest(service.endpoint(), { method: service.method, path: service.path, headers: service.headers, declaredBytes: sentBytes + trailing, sentBytes });
    const answer = await held.answer;
    const dripping = drip(held, trailing);

    const first = await Promise.race([held.closed.then(() => 'connection closed'), dripping.done.then(() => 'body sent whole')]);

    expect([answer.status, service.codeOf(answer)]).toEqual([service.missingToken.status, service.missingToken.code]);
    expect([first, dripping.sent() < trailing]).toEqual(['connection closed', true]);
    expect(service.budget.heldBytes).toBe(0);
    held.destroy();
  });

  it.each([
    ['DynamoDB', 'dynamodb'],
    ['Lambda Invoke', 'lambda'],
    ['Rekognition', 'rekognition'],
  ] as const)('%s drops the connection once the body pauses past the idle timeout, and lets its bytes go', async (name, key) => {
    const service = stalling(name, key);
    const body = Buffer.alloc(mebibyte, 0x20);
    const headers = await signedHeaders(service, service.endpoint(), keyPair, body);
    const stalled = heldRequest(service.endpoint(), { method: service.method, path: service.path, headers, declaredBytes: mebibyte, sentBytes: mebibyte - 1 });
    await service.budget.holding(mebibyte - 1);

    await stalled.closed;
    await expect(stalled.answer).rejects.toThrow();
    expect(service.budget.heldBytes).toBe(0);

    const next = heldRequest(service.endpoint(), { method: service.method, path: service.path, headers, declaredBytes: mebibyte, sentBytes: 0 });
    next.finish(body);
    expect(service.codeOf(await next.answer)).not.toBe(service.throttled.code);
    for (const each of [stalled, next]) each.destroy();
  });
});

describe('readBoundedBody (the Cognito token route, the test hooks)', () => {
  it('drops the connection of a body that pauses past the idle timeout, and says the body is gone', async () => {
    // A server of its own that reads bodies of up to 16 KiB as the token route does, with an idle timeout of 200 ms.
    const failures: unknown[] = [];
    const server: Server = createServer((request, response) => {
      readBoundedBody(request, 16 * 1024, () => new Error('too large'), { idleTimeoutMs: 200 }).then(
        () => response.end('read'),
        (error: unknown) => failures.push(error),
      );
    });
    const port = await listen(server, 0, '127.0.0.1');
    const stalled = heldRequest(`http://127.0.0.1:${port}`, { path: '/', headers: {}, declaredBytes: 1024, sentBytes: 100 });

    await stalled.closed;

    await expect(stalled.answer).rejects.toThrow();
    expect(failures).toEqual([expect.any(BodyGoneError)]);
    stalled.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
