/**
 * The local AppSync end to end over real HTTPS/WSS: aws-amplify v6 (in a child
 * process that trusts the local CA through NODE_EXTRA_CA_CERTS) for API-key
 * queries and subscriptions, SigV4-signed requests from @smithy/signature-v4
 * for the IAM-only mutation, raw requests for exact error shapes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { startAmplifyProcess, type AmplifyProcess } from './amplify-process.ts';
import { fakeRuntime, labeledPublishInput, sampleImage, type FakeRuntime } from './fake-runtime.ts';
import { post, postSigned } from './https-client.ts';
import { startedStateDir } from './state-dir.ts';

const region = 'us-east-1';
const apiKey = 'da2-localtestapikey0000000000';
const credentials = { accessKeyId: 'LKIATESTTESTTESTTEST', secretAccessKey: 'local/test/secret/key/0123456789abcdefghij' };

const imageFields = 'id status contentType sizeBytes fileName createdAt labeledAt error labels { name confidence parents categories instances { confidence boundingBox { left top width height } } } moderationLabels { name confidence parents categories instances { confidence } }';
const catLabels = [{ name: 'Cat', confidence: 99, parents: [], categories: [], instances: [] }];
const publishMutation = `mutation Publish($input: ImageLabeledInput!) { publishImageLabeled(input: $input) { id status labels { name } } }`;
const subscription = `subscription OnLabeled($imageId: ID) { onImageLabeled(imageId: $imageId) { id status fileName labels { name } } }`;


describe('local AppSync server', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let runtime: FakeRuntime;
  let ca: string;
  let amplify: AmplifyProcess;
  const internalErrors: string[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'local-appsync-'));
    runtime = fakeRuntime();
    appsync = await startLocalAppSync({
      stateDir,
      port: 0,
      region,
      apiKey,
      credentials: credentialStore(credentials),
      runtime,
      realtime: { keepAliveIntervalMs: 500 },
      onInternalError: (_error, where) => internalErrors.push(where),
    });
    ca = readFileSync(appsync.caPath, 'utf8');
    amplify = await startAmplifyProcess(appsync.caPath);
    const configured = await amplify.call('configure', { endpoint: appsync.graphqlUrl, region, apiKey });
    expect(configured, amplify.stderr()).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await amplify?.stop();
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves on 127.0.0.1 with the realtime endpoint under the GraphQL path', () => {
    expect(appsync.graphqlUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(appsync.realtimeUrl).toBe(appsync.graphqlUrl.replace('https://', 'wss://') + '/realtime');
    expect(appsync.caPath).toBe(path.join(stateDir, 'tls', 'ca.pem'));
  });

  it('answers an amplify query made with the API key', async () => {
    const response = await amplify.call('graphql', { query: `query Get($id: ID!) { image(id: $id) { ${imageFields} } }`, variables: { id: 'img-1' } });
    expect(response.ok, JSON.stringify(response)).toBe(true);
    expect(response.result).toEqual({ data: { image: sampleImage } });

    const call = runtime.calls.findLast((entry) => entry.info.fieldName === 'image')!;
    expect(call.identity).toBeNull();
    expect(call.arguments).toEqual({ id: 'img-1' });
    expect(call.info.parentTypeName).toBe('Query');
    expect(call.info.variables).toEqual({ id: 'img-1' });
    expect(call.info.selectionSetList).toContain('labels/instances/boundingBox/left');
    expect(call.info.selectionSetGraphQL.startsWith('{\n  id\n  status')).toBe(true);
    expect(call.request.headers['x-api-key']).toBe(apiKey);
    expect(call.request.domainName).toBeNull();
  });

  it('refuses a request without an API key with 401 UnauthorizedException', async () => {
    const body = JSON.stringify({ query: '{ image(id: "img-1") { id } }' });
    const attempts: Record<string, string>[] = [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', 'x-api-key': 'da2-wrong' }];
    for (const headers of attempts) {
      const response = await post(appsync.graphqlUrl, ca, body, headers);
      expect(response.status).toBe(401);
      expect(response.headers['x-amzn-errortype']).toBe('UnauthorizedException');
      expect(response.json()).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
    }
  });

  it('refuses the IAM-only mutation to an API-key caller with an Unauthorized field error', async () => {
    const expectedError = {
      path: ['publishImageLabeled'],
      data: null,
      errorType: 'Unauthorized',
      errorInfo: null,
      locations: [{ line: 1, column: 48, sourceName: null }],
      message: 'Not Authorized to access publishImageLabeled on type Mutation',
    };
    const raw = await post(appsync.graphqlUrl, ca, JSON.stringify({ query: publishMutation, variables: { input: labeledPublishInput({ labels: catLabels }) } }), {
      'content-type': 'application/json',
      'x-api-key': apiKey,
    });
    expect(raw.status).toBe(200);
    expect(raw.json()).toEqual({ data: { publishImageLabeled: null }, errors: [expectedError] });

    const viaAmplify = await amplify.call('graphql', { query: publishMutation, variables: { input: labeledPublishInput({ labels: catLabels }) } });
    expect(viaAmplify.ok).toBe(false);
    expect(viaAmplify.error).toMatchObject({ data: { publishImageLabeled: null }, errors: [{ errorType: 'Unauthorized', message: expectedError.message }] });
  });

  it('accepts the SigV4-signed mutation and passes the IAM identity to the resolver', async () => {
    const response = await postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input: labeledPublishInput({ id: 'img-9', labels: catLabels }) } }, { region, credentials });
    expect(response.status, response.body).toBe(200);
    expect(response.json()).toEqual({ data: { publishImageLabeled: { id: 'img-9', status: 'LABELED', labels: [{ name: 'Cat' }] } } });
    const call = runtime.calls.findLast((entry) => entry.info.fieldName === 'publishImageLabeled')!;
    expect(call.identity).toMatchObject({
      accountId: '000000000000',
      // The account's own key pair is the account itself, as AWS names its root principal.
      userArn: 'arn:aws:iam::000000000000:root',
      username: credentials.accessKeyId,
      sourceIp: ['127.0.0.1'],
    });
  });

  it('answers bad signatures with 403 and the AWS error types', async () => {
    const payload = { query: publishMutation, variables: { input: labeledPublishInput({ id: 'img-9', labels: catLabels }) } };
    const wrongSecret = await postSigned(appsync.graphqlUrl, ca, payload, { region, credentials: { ...credentials, secretAccessKey: 'nope' } });
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.json()).toMatchObject({ errors: [{ errorType: 'InvalidSignatureException' }] });

    const unknownKey = await postSigned(appsync.graphqlUrl, ca, payload, { region, credentials: { accessKeyId: 'LKIAUNKNOWN', secretAccessKey: 'x' } });
    expect(unknownKey.status).toBe(403);
    expect(unknownKey.json()).toEqual({ errors: [{ errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }] });

    const incomplete = await post(appsync.graphqlUrl, ca, JSON.stringify(payload), { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Signature=abc' });
    expect(incomplete.status).toBe(403);
    expect(incomplete.json()).toMatchObject({ errors: [{ errorType: 'IncompleteSignatureException' }] });
  });

  it('returns resolver errors in the AppSync field error shape and never leaks internals', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
    const upload = await post(appsync.graphqlUrl, ca, JSON.stringify({ query: 'mutation { requestUpload(input: { contentType: "image/gif", sizeBytes: 1 }) { imageId } }' }), headers);
    expect(upload.status).toBe(200);
    expect(upload.json()).toEqual({
      data: null, // requestUpload is non-null, so the null propagates to data
      errors: [
        {
          path: ['requestUpload'],
          data: { allowed: ['image/jpeg'] },
          errorType: 'BadRequest',
          errorInfo: null,
          locations: [{ line: 1, column: 12, sourceName: null }],
          message: 'contentType image/gif is not supported',
        },
      ],
    });

    const crash = await post(appsync.graphqlUrl, ca, JSON.stringify({ query: '{ imagesByLabel(label: "boom") { nextToken } }' }), headers);
    expect(crash.status).toBe(200);
    expect(crash.body).not.toContain('secret internal detail');
    expect(crash.json()).toMatchObject({ data: null, errors: [{ path: ['imagesByLabel'], errorType: 'InternalFailure' }] });
    expect(internalErrors).toContain('Query.imagesByLabel');
  });

  it('answers malformed and invalid requests as AppSync does', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
    const empty = await post(appsync.graphqlUrl, ca, '', headers);
    expect([empty.status, empty.json()]).toEqual([400, { errors: [{ errorType: 'MalformedHttpRequestException', message: 'Request body is empty.' }] }]);

    for (const body of ['meow', '{}', '[]']) {
      const response = await post(appsync.graphqlUrl, ca, body, headers);
      expect([response.status, response.json()]).toEqual([400, { errors: [{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }] }]);
    }

    const invalid = await post(appsync.graphqlUrl, ca, JSON.stringify({ query: '{ badfield }' }), headers);
    expect(invalid.status).toBe(200);
    expect(invalid.json()).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'Validation error of type FieldUndefined: Cannot query field "badfield" on type "Query".',
        },
      ],
    });

    const badVariable = await post(appsync.graphqlUrl, ca, JSON.stringify({ query: 'query Q($id: ID!) { image(id: $id) { id } }', variables: {} }), headers);
    expect(badVariable.status).toBe(200);
    expect(badVariable.json()).toMatchObject({ data: null, errors: [{ path: null, message: expect.stringContaining('$id') }] });
  });

  it('pushes a published mutation to amplify subscribers whose filter matches, projected on their selection', async () => {
    for (const [name, variables] of [
      ['mine', { imageId: 'img-1' }],
      ['other', { imageId: 'img-2' }],
      ['all', {}],
    ] as const) {
      const subscribed = await amplify.call('subscribe', { name, query: subscription, variables });
      expect(subscribed.ok, JSON.stringify(subscribed)).toBe(true);
    }
    const subscribeCall = runtime.calls.findLast((entry) => entry.info.fieldName === 'onImageLabeled')!;
    expect(subscribeCall.identity).toBeNull();
    expect(subscribeCall.info.selectionSetList).toEqual(['id', 'status', 'fileName', 'labels', 'labels/name']);

    const published = await postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input: labeledPublishInput({ labels: catLabels }) } }, { region, credentials });
    expect(published.status, published.body).toBe(200);

    // fileName was not selected by the mutation, so subscribers get null for it.
    const expected = { data: { onImageLabeled: { id: 'img-1', status: 'LABELED', fileName: null, labels: [{ name: 'Cat' }] } } };
    expect(await amplify.nextEvent('mine', 5000)).toEqual({ event: 'next', name: 'mine', value: expected });
    expect(await amplify.nextEvent('all', 5000)).toEqual({ event: 'next', name: 'all', value: expected });
    expect(await amplify.nextEvent('other', 1500)).toBeUndefined();

    await amplify.call('unsubscribe', { name: 'mine' });
    await amplify.call('unsubscribe', { name: 'other' });
    await amplify.call('unsubscribe', { name: 'all' });
  });

  it('sends an error for a subscription whose resolver fails', async () => {
    const subscribed = await amplify.call('subscribe', { name: 'forbidden', query: subscription, variables: { imageId: 'forbidden' } });
    expect(subscribed.ok).toBe(false);
    expect(JSON.stringify(subscribed.error)).toContain('no such image');
  });
});

describe('local AppSync realtime protocol (raw WebSocket)', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-ws-', region);
    appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey, credentials: credentialStore(credentials), runtime: fakeRuntime() });
    ca = readFileSync(appsync.caPath, 'utf8');
  });

  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const connect = (header: Record<string, string>) => {
    const encoded = Buffer.from(JSON.stringify(header)).toString('base64url');
    const socket = new WebSocket(appsync.realtimeUrl, ['graphql-ws', `header-${encoded}`], { ca });
    const messages: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    socket.on('message', (data) => {
      messages.push(JSON.parse(String(data)) as Record<string, unknown>);
      for (const wake of waiters.splice(0)) wake();
    });
    const next = async (type: string, timeoutMs = 3000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = messages.findIndex((message) => message.type === type);
        if (index >= 0) return messages.splice(index, 1)[0];
        if (Date.now() > deadline) throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    };
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return { socket, next, opened };
  };

  it('acks connection_init with connectionTimeoutMs, keeps alive, starts and stops', async () => {
    const host = new URL(appsync.graphqlUrl).host;
    const { socket, next, opened } = connect({ host, 'x-api-key': apiKey });
    await opened;
    expect(socket.protocol).toBe('graphql-ws');
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await next('connection_ack')).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    expect(await next('ka')).toEqual({ type: 'ka' });

    socket.send(
      JSON.stringify({
        id: 'sub-1',
        type: 'start',
        payload: { data: JSON.stringify({ query: subscription, variables: {} }), extensions: { authorization: { host, 'x-api-key': apiKey } } },
      }),
    );
    expect(await next('start_ack')).toEqual({ type: 'start_ack', id: 'sub-1' });

    socket.send(
      JSON.stringify({
        id: 'sub-2',
        type: 'start',
        payload: { data: JSON.stringify({ query: subscription, variables: {} }), extensions: { authorization: { host, 'x-api-key': 'da2-wrong' } } },
      }),
    );
    expect(await next('error')).toEqual({
      type: 'error',
      id: 'sub-2',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
    });

    socket.send(JSON.stringify({ id: 'sub-1', type: 'stop' }));
    expect(await next('complete')).toEqual({ type: 'complete', id: 'sub-1' });
    socket.close();
  });

  it('answers a connection with a wrong API key with connection_error 401', async () => {
    const { socket, next, opened } = connect({ host: new URL(appsync.graphqlUrl).host, 'x-api-key': 'da2-wrong' });
    await opened;
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await next('connection_error')).toEqual({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
    });
  });

  it('takes SigV4 auth on the connection and on start, as amplify signs them', async () => {
    const url = new URL(appsync.graphqlUrl);
    const signer = new SignatureV4({ service: 'appsync', region, credentials, sha256: Sha256 });
    // amplify signs POST <graphql>/connect with body '{}' for the connection, POST <graphql> with the start's data.
    const sign = async (pathSuffix: string, body: string) =>
      (
        await signer.sign(
          new HttpRequest({
            method: 'POST',
            protocol: 'https:',
            hostname: url.hostname,
            port: Number(url.port),
            path: `${url.pathname}${pathSuffix}`,
            headers: { accept: 'application/json, text/javascript', 'content-encoding': 'amz-1.0', 'content-type': 'application/json; charset=UTF-8', host: url.host },
            body,
          }),
        )
      ).headers as Record<string, string>;
    const { socket, next, opened } = connect(await sign('/connect', '{}'));
    await opened;
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await next('connection_ack');

    // onImageLabeled is for client modes only, so an IAM start is refused at the field.
    const data = JSON.stringify({ query: subscription, variables: {} });
    socket.send(JSON.stringify({ id: 'iam-1', type: 'start', payload: { data, extensions: { authorization: await sign('', data) } } }));
    expect(await next('error')).toMatchObject({
      id: 'iam-1',
      payload: { errors: [{ path: ['onImageLabeled'], errorType: 'Unauthorized', message: 'Not Authorized to access onImageLabeled on type Subscription' }] },
    });

    // A start signed over other data does not verify.
    socket.send(JSON.stringify({ id: 'iam-2', type: 'start', payload: { data, extensions: { authorization: await sign('', '{}') } } }));
    expect(await next('error')).toMatchObject({ id: 'iam-2', payload: { errors: [{ errorType: 'InvalidSignatureException', errorCode: 403 }] } });
    socket.close();
  });

  it('ends open WebSockets promptly on close()', async () => {
    const { socket, next, opened } = connect({ host: new URL(appsync.graphqlUrl).host, 'x-api-key': apiKey });
    await opened;
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await next('connection_ack');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const started = Date.now();
    await appsync.close();
    expect(await closed).toBe(1001);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
