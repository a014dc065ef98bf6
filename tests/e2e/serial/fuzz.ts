/**
 * No single request ends or breaks the stack: malformed paths, headers,
 * methods, upgrades, WebSocket frames and messages, bodies, JSON and content
 * lengths, thrown over raw `net`/`tls` sockets at every local port (AppSync
 * HTTPS and its realtime WSS, the Cognito routes beside it, S3, DynamoDB,
 * Rekognition, Lambda and the gallery). After each batch every service must
 * still answer a valid request, and no answer may be a 5xx: a bad request is
 * the client's fault.
 *
 * Deterministic (a fixed corpus plus mutations from a fixed seed) and bounded
 * (a few hundred cases a port, each cut after a short wait).
 */
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { describe, expect, inject, it, beforeAll } from 'vitest';
import { WebSocket } from 'ws';
import { stackCredentials } from '../../../local/child-process-stack.ts';
import { amplifyOutputs, configureStackAmplify } from '../../support/amplify-client.ts';
import { deepJson, exchange, fixedCases, mutatedCases, seededRandom, type Exchange, type FuzzCase, type FuzzTarget } from '../../support/fuzz.ts';

const seed = 0x1ab_e1ca;
const mutationsPerTarget = 60;
/** How long a case may keep its socket before it is cut: a silent server is not a failure, a dead one is. */
const caseBoundMs = 1500;
const concurrency = 16;
const realtimePath = '/graphql/realtime';

const outputs = amplifyOutputs();
const graphqlUrl = new URL(outputs.data.url);
const apiKey = outputs.data.api_key ?? '';
const userPool = outputs.custom?.local_user_pool;
const region = outputs.data.aws_region;
const credentials = stackCredentials(inject('stateDir'));
const portOf = (url: string) => Number(new URL(url).port);

/** Seeds each target from its name, not its port (ports change from run to run). */
const nameHash = (name: string) => [...name].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0, 2166136261);

const realtimeAuth = () => ({ host: graphqlUrl.host, 'x-api-key': apiKey });
const realtimeProtocols = () => ['graphql-ws', `header-${Buffer.from(JSON.stringify(realtimeAuth())).toString('base64url')}`];

const targets: FuzzTarget[] = [
  {
    name: 'AppSync (HTTPS, realtime WSS, Cognito routes)',
    port: Number(graphqlUrl.port),
    tls: true,
    paths: ['/graphql', realtimePath, ...(userPool ? [new URL(userPool.tokens_url).pathname, new URL(userPool.jwks_uri).pathname] : [])],
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
  },
  ...(userPool
    ? [
        {
          name: 'Cognito user pool API (sign-up, SRP sign-in) and its code hook',
          port: Number(graphqlUrl.port),
          tls: true,
          paths: [new URL(userPool.user_pool_endpoint).pathname, new URL(userPool.confirmation_code_url).pathname],
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
        },
      ]
    : []),
  { name: 'gallery', port: portOf(inject('galleryUrl')), tls: true, paths: ['/', '/amplify_outputs.json', '/assets/'], headers: {} },
  { name: 'S3', port: portOf(inject('s3Endpoint')), tls: inject('s3Endpoint').startsWith('https:'), paths: ['/', '/bucket/uploads/key'], headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
  {
    name: 'DynamoDB',
    port: portOf(inject('dynamodbEndpoint')),
    tls: false,
    paths: ['/'],
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.PutItem',
      'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
  },
  {
    name: 'Rekognition',
    port: portOf(inject('rekognitionEndpoint')),
    tls: false,
    paths: ['/'],
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'RekognitionService.DetectLabels' },
  },
  { name: 'Lambda', port: portOf(inject('lambdaEndpoint')), tls: false, paths: ['/2015-03-31/functions/reconciler/invocations'], headers: {} },
];

/** A masked client frame, or one that breaks the framing rules on purpose. */
function frame(opcode: number, payload: Buffer, options: { fin?: boolean; masked?: boolean; declaredLength?: bigint } = {}): Buffer {
  const { fin = true, masked = true } = options;
  const length = options.declaredLength ?? BigInt(payload.length);
  const head = [((fin ? 0x80 : 0) | opcode) & 0xff];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  const mask = masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  const body = masked ? Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4])) : payload;
  return Buffer.concat([Buffer.from(head), extended, mask, body]);
}

/** An authorised upgrade followed by frames that break the WebSocket protocol. */
function badFrameCases(): FuzzCase[] {
  const upgradeBytes = Buffer.from(
    `GET ${realtimePath} HTTP/1.1\r\nhost: ${graphqlUrl.host}\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\n` +
      `sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-protocol: ${realtimeProtocols().join(', ')}\r\n\r\n`,
  );
  const text = (value: string) => Buffer.from(value);
  const frames: [string, Buffer][] = [
    ['an unknown opcode', frame(0x3, text('x'))],
    ['an unmasked frame', frame(0x1, text('{"type":"connection_init"}'), { masked: false })],
    ['a 2^63-byte length', frame(0x1, text('x'), { declaredLength: 2n ** 63n - 1n })],
    ['a length past the message limit', frame(0x1, text('x'), { declaredLength: 10_000_000n })],
    ['invalid UTF-8 text', frame(0x1, Buffer.from([0xff, 0xfe, 0xc3]))],
    ['a continuation without a start', frame(0x0, text('x'))],
    ['a fragmented ping', frame(0x9, text('x'), { fin: false })],
    ['a 200-byte ping', frame(0x9, Buffer.alloc(200, 1))],
    ['a close with code 5', frame(0x8, Buffer.from([0, 5]))],
    ['a close with a 1-byte body', frame(0x8, Buffer.from([3]))],
    ['reserved bits', Buffer.concat([Buffer.from([0xf1]), frame(0x1, text('x')).subarray(1)])],
    ['a truncated frame', frame(0x1, text('{"type":"connection_init"}')).subarray(0, 9)],
  ];
  return frames.map(([name, bytes]) => ({ name: `realtime frame: ${name}`, pieces: [upgradeBytes, bytes], halfClose: false }));
}

/** Valid frames, bad messages: each is answered with an error or a close, never a crash. */
const badMessages: readonly (string | Buffer)[] = [
  'not json',
  '',
  Buffer.from([1, 2, 3]),
  deepJson(100_000, 'array'),
  deepJson(20_000, 'object'),
  '{"type":{"a":1}}',
  '{"type":"start"}',
  '{"type":"start","id":{},"payload":[]}',
  '{"type":"start","id":"1","payload":{"data":{"query":"{__typename}"}}}',
  JSON.stringify({ type: 'start', id: '2', payload: { data: '{', extensions: { authorization: realtimeAuth() } } }),
  JSON.stringify({ type: 'start', id: '3', payload: { data: deepJson(20_000, 'object'), extensions: { authorization: realtimeAuth() } } }),
  JSON.stringify({
    type: 'start',
    id: '4',
    // The variables as text: too deep for JSON.stringify here, not for the server's parser.
    payload: { data: `{"query":"subscription S($a: String) { onImageLabeled { id } }","variables":${deepJson(20_000, 'object')}}`, extensions: { authorization: realtimeAuth() } },
  }),
  JSON.stringify({ type: 'start', id: '5', payload: { data: '{"query":"subscription { onImageLabeled { id } }"}', extensions: { authorization: { host: '%ff', Authorization: 'a.b.c' } } } }),
  JSON.stringify({ type: 'start', id: '6', payload: { data: '{"query":"subscription { onImageLabeled { id } }"}', extensions: { authorization: deepJson(10_000, 'object') } } }),
  '{"type":"stop","id":"never-started"}',
  '{"type":"stop"}',
  '{"type":"connection_init","payload":{"__proto__":{"polluted":true}}}',
  '{"type":"ka"}',
  JSON.stringify({ type: 'start', id: 'x'.repeat(100_000), payload: { data: '{}' } }),
  `{"type":"${'x'.repeat(200_000)}"}`,
  'x'.repeat(300 * 1024),
];

async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}

/** Sends each message on its own authorised socket, then waits for any answer or the close. */
function sendOnRealtime(message: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`wss://${graphqlUrl.host}${realtimePath}`, realtimeProtocols(), { rejectUnauthorized: false });
    const done = () => {
      clearTimeout(timer);
      socket.terminate();
      resolve();
    };
    const timer = setTimeout(done, caseBoundMs);
    socket.on('open', () => {
      socket.send('{"type":"connection_init"}');
      socket.send(message, { binary: Buffer.isBuffer(message) });
    });
    let answers = 0;
    socket.on('message', () => {
      // connection_ack and ka come first; the next message answers ours.
      answers += 1;
      if (answers >= 3) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** Opens the realtime socket as amplify does and waits for connection_ack. */
function realtimeAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`wss://${graphqlUrl.host}${realtimePath}`, realtimeProtocols());
    const timer = setTimeout(() => finish(false), 15_000);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.terminate();
      resolve(ok);
    };
    socket.on('open', () => socket.send('{"type":"connection_init"}'));
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type?: string }).type === 'connection_ack') finish(true);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

const awsClientConfig = (endpoint: string) => ({ endpoint, region, credentials, maxAttempts: 1 });

/** One valid request to every service; returns what did not answer as it should. */
async function deadServices(): Promise<string[]> {
  const checks: Record<string, () => Promise<boolean>> = {
    'AppSync GraphQL': async () => {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      return response.status === 200 && ((await response.json()) as { data?: { __typename?: string } }).data?.__typename === 'Query';
    },
    'AppSync realtime': realtimeAnswers,
    // A category the fuzzing does not spend (UserAccountRecovery): an answer in Cognito's shape.
    'Cognito user pool API': async () => {
      if (!userPool) return true;
      const response = await fetch(userPool.user_pool_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ResendConfirmationCode' },
        body: JSON.stringify({ ClientId: 'no-such-client', Username: 'nobody@example.com' }),
      });
      return response.status === 400 && ((await response.json()) as { __type?: string }).__type === 'ResourceNotFoundException';
    },
    'Cognito JWKS': async () => {
      if (!userPool) return true;
      const response = await fetch(userPool.jwks_uri);
      return response.status === 200 && Array.isArray(((await response.json()) as { keys?: unknown }).keys);
    },
    gallery: async () => {
      const response = await fetch(inject('galleryUrl'));
      await response.arrayBuffer();
      return response.status === 200;
    },
    S3: async () => Array.isArray((await new S3Client({ ...awsClientConfig(inject('s3Endpoint')), forcePathStyle: true }).send(new ListBucketsCommand({}))).Buckets),
    DynamoDB: async () => Array.isArray((await new DynamoDBClient(awsClientConfig(inject('dynamodbEndpoint'))).send(new ListTablesCommand({}))).TableNames),
    Rekognition: async () =>
      new RekognitionClient(awsClientConfig(inject('rekognitionEndpoint'))).send(new DetectLabelsCommand({ Image: { Bytes: Buffer.from('not an image') } })).then(
        () => false,
        (error: { name?: string }) => error.name === 'InvalidImageFormatException',
      ),
    Lambda: async () =>
      (await new LambdaClient(awsClientConfig(inject('lambdaEndpoint'))).send(new InvokeCommand({ FunctionName: 'reconciler', InvocationType: 'DryRun' }))).StatusCode === 204,
  };
  const verdicts = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => ((await check().catch(() => false)) ? undefined : name)),
  );
  return verdicts.filter((name): name is string => name !== undefined);
}

/** The cases answered with a 5xx, named with the first bytes of the answer. */
const serverErrors = (cases: readonly FuzzCase[], exchanges: readonly Exchange[]) =>
  exchanges.flatMap((result, index) => (result.status !== undefined && result.status >= 500 ? [`${cases[index].name}: ${result.head.split('\r\n')[0]}`] : []));

describe('Fuzz: malformed requests at every local port', () => {
  beforeAll(() => configureStackAmplify());
  it('every service answers before the fuzzing starts', async () => {
    await expect(deadServices()).resolves.toEqual([]);
  });

  for (const target of targets) {
    it(`${target.name}: survives the corpus and ${mutationsPerTarget} seeded mutations, answering none with a 5xx`, async () => {
      // Prepare
      const random = seededRandom(seed ^ nameHash(target.name));
      const fixed = [...fixedCases(target, target.name.startsWith('AppSync') ? realtimePath : undefined), ...(target.name.startsWith('AppSync') ? badFrameCases() : [])];
      const cases = [...fixed, ...mutatedCases(random, fixed, mutationsPerTarget)];

      // Act
      const exchanges = await inPool(cases, concurrency, (fuzzCase) => exchange(target, fuzzCase, caseBoundMs));

      // Assess
      expect(await deadServices()).toEqual([]);
      expect(serverErrors(cases, exchanges)).toEqual([]);
    }, 180_000);
  }

  it('realtime: survives malformed and oversized messages on authorised sockets', async () => {
    await inPool(badMessages, 4, sendOnRealtime);
    expect(await deadServices()).toEqual([]);
  }, 120_000);
});
