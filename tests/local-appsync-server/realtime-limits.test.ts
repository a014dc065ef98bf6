/**
 * AppSync's realtime limits on the local server, over WSS with raw sockets:
 * 100 subscriptions per connection, 240 kB subscription payloads, a window
 * for connection_init, the query depth limit on start, a start whose
 * fragments spread each other twice at every level, and a client that never
 * reads its socket (cut once its unread backlog passes maxUnsentBytes).
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { connectionInitTimeoutCloseCode, maxSubscriptionIdChars, maxUnsentBytes } from '../../local/appsync/realtime/connection.ts';
import { defaultSubscriptionDocumentLimits } from '../../local/appsync/realtime/document-budget.ts';
import { estimatedBytesPerChar } from '../../local/appsync/server/document-cache.ts';
import { RealtimeLimits } from '../../local/appsync/realtime/protocol.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { fakeRuntime, labeledPublishInput } from './fake-runtime.ts';
import { postSigned } from './https-client.ts';
import { recordRealtimeMessages } from '../support/realtime-messages.ts';
import { startedStateDir } from './state-dir.ts';

const region = 'us-east-1';
const apiKey = 'da2-realtimelimitsapikey00000';
const credentials = { accessKeyId: 'LKIAREALTIMELIMITS00', secretAccessKey: 'local/realtime/limits/secret/0123456789ab' };
const subscription = 'subscription OnLabeled($imageId: ID) { onImageLabeled(imageId: $imageId) { id fileName } }';
const publishMutation = 'mutation Publish($input: ImageLabeledInput!) { publishImageLabeled(input: $input) { id fileName } }';
/** A subscription selecting `id` under `count` long aliases, distinct per `tag` (4 characters), each alias 40 characters with its `: id`. */
const aliasDocument = (tag: string, count: number) =>
  `subscription { onImageLabeled { ${Array.from({ length: count }, (_, index) => `${tag}_${String(index).padStart(4, '0')}_${'x'.repeat(24)}: id`).join(' ')} } }`;
/** About 119,000 characters, 8,700 tokens (within the 15,000-token parser limit): too long for the document cache, so each start parses its own copy. */
const bigDocument = (tag: string) => aliasDocument(tag, 2900);
const bigDocumentBytes = bigDocument('b000').length * estimatedBytesPerChar;


describe('Local AppSync realtime: limits', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;
  let host: string;
  const logged: { error: unknown; where: string }[] = [];

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-realtime-limits-', region);
    appsync = await startLocalAppSync({
      stateDir,
      port: 0,
      region,
      apiKey,
      credentials: credentialStore(credentials),
      runtime: fakeRuntime(),
      limits: { introspection: true, queryDepthLimit: 3 },
      // A short window, so the test needs no long wait; keep-alives fast enough to show an initialised socket outlives it.
      realtime: { connectionInitTimeoutMs: 300, keepAliveIntervalMs: 100 },
      onInternalError: (error, where) => logged.push({ error, where }),
    });
    ca = readFileSync(appsync.caPath, 'utf8');
    host = new URL(appsync.graphqlUrl).host;
  });

  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** A raw realtime socket authorised with the API key; `next` waits for the next message of a type (none is skipped for good). */
  const connect = (options: { withHeader?: boolean } = {}) => {
    const encoded = Buffer.from(JSON.stringify({ host, 'x-api-key': apiKey })).toString('base64url');
    const protocols = options.withHeader === false ? ['graphql-ws'] : ['graphql-ws', `header-${encoded}`];
    const socket = new WebSocket(appsync.realtimeUrl, protocols, { ca });
    const { messages, next, opened } = recordRealtimeMessages(socket);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    const start = (id: string, query = subscription, variables: Record<string, unknown> = {}) =>
      socket.send(
        JSON.stringify({
          id,
          type: 'start',
          payload: { data: JSON.stringify({ query, variables }), extensions: { authorization: { host, 'x-api-key': apiKey } } },
        }),
      );
    /** The answer to a start, ack or error (a wait for the other is dropped when the socket closes). */
    const answer = (id: string) => Promise.race([next('start_ack', id), next('error', id)].map((waiting) => waiting.catch(() => undefined)));
    return { socket, next, opened, closed, start, messages, answer };
  };

  /** A connection_init'ed client; `stopAll` stops the given subscriptions and waits until each is complete (its document released). */
  const initialisedClient = async () => {
    const client = connect();
    await client.opened;
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    await client.next('connection_ack');
    const stopAll = async (ids: readonly string[]) => {
      for (const id of ids) client.socket.send(JSON.stringify({ type: 'stop', id }));
      for (const id of ids) await client.next('complete', id);
    };
    return { ...client, stopAll };
  };

  it('acks 100 subscriptions on one connection and refuses the 101st with MaxSubscriptionsReachedError', async () => {
    // Prepare
    const client = await initialisedClient();

    // Act: 100 subscriptions, then one more
    for (let index = 1; index <= RealtimeLimits.subscriptionsPerConnection; index += 1) client.start(`sub-${index}`);
    for (let index = 1; index <= RealtimeLimits.subscriptionsPerConnection; index += 1) await client.next('start_ack', `sub-${index}`);
    client.start('sub-101');

    // Assess: AppSync's error, its `errors` an object, as aws-amplify reports it
    expect(await client.next('error', 'sub-101')).toEqual({
      type: 'error',
      id: 'sub-101',
      payload: { errors: { errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 100 subscriptions reached' } },
    });

    // Act: one stopped frees its place
    await client.stopAll(['sub-1']);
    client.start('sub-102');

    // Assess
    expect(await client.next('start_ack', 'sub-102')).toEqual({ type: 'start_ack', id: 'sub-102' });
    client.socket.close();
    await client.closed; // gone from the registry before the next test publishes
  });

  it('refuses a start with the id of a live subscription (DuplicatedOperationError), keeping the first; after stop the id is free', async () => {
    // Prepare
    const client = await initialisedClient();
    client.start('same', subscription, { imageId: 'img-first' });
    await client.next('start_ack', 'same');

    // Act: the same id again, for another image
    client.start('same', subscription, { imageId: 'img-second' });
    const refused = await client.next('error', 'same');
    await postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input: labeledPublishInput({ id: 'img-first', fileName: 'first.jpg' }) } }, { region, credentials });

    // Assess: AppSync's error; the first subscription still delivers
    expect(refused).toEqual({ type: 'error', id: 'same', payload: { errors: [{ errorType: 'DuplicatedOperationError', message: 'Duplicated operation with id same' }] } });
    expect(await client.next('data', 'same')).toMatchObject({ payload: { data: { onImageLabeled: { id: 'img-first' } } } });

    // Act: stop, then the id again
    await client.stopAll(['same']);
    client.start('same', subscription, { imageId: 'img-second' });

    // Assess
    expect(await client.next('start_ack', 'same')).toEqual({ type: 'start_ack', id: 'same' });
    client.socket.close();
    await client.closed; // gone from the registry before the next test publishes
  });

  it('closes a socket that never sends connection_init, and keeps one that did', async () => {
    // Prepare: the initialised socket opens first, so its window would end first if init did not end it
    const initialised = await initialisedClient();
    const silent = connect();
    await silent.opened;

    // Act: the silent socket sends nothing
    const closed = await silent.closed;

    // Assess
    expect(closed.code).toBe(connectionInitTimeoutCloseCode);
    expect(initialised.socket.readyState).toBe(WebSocket.OPEN);
    await initialised.next('ka'); // still served after the silent socket's window ended
    initialised.socket.close();
    await initialised.closed; // gone from the registry before the next test publishes
  });

  it('counts a start without connection_init as initialising (connection_init is optional on AppSync)', async () => {
    // Prepare: a second socket opened later whose window ends after the first one's would
    const starter = connect();
    await starter.opened;
    starter.start('only');
    await starter.next('start_ack', 'only');
    const silent = connect();
    await silent.opened;

    // Act
    await silent.closed;

    // Assess
    expect(starter.socket.readyState).toBe(WebSocket.OPEN);
    starter.socket.close();
    await starter.closed; // gone from the registry before the next test publishes
  });

  it('closes a socket without credentials at the end of the window, though it sent a start', async () => {
    // Prepare: no auth header, so the connection's own auth does not hold
    const anonymous = connect({ withHeader: false });
    await anonymous.opened;
    anonymous.start('anonymous');
    const refused = await anonymous.next('error', 'anonymous');
    const silent = connect(); // opened later: its window ends after the anonymous one's
    await silent.opened;

    // Act
    await silent.closed;

    // Assess: the start was refused, and did not end the anonymous socket's window
    expect(refused).toMatchObject({ payload: { errors: [{ errorType: 'UnauthorizedException' }] } });
    expect(anonymous.socket.readyState).not.toBe(WebSocket.OPEN);
    expect((await anonymous.closed).code).toBe(connectionInitTimeoutCloseCode);
  });

  it('refuses a start whose id is longer than the local limit, and acks one of the limit', async () => {
    // Prepare
    const client = await initialisedClient();
    const longest = 'i'.repeat(maxSubscriptionIdChars);

    // Act
    client.start(`${longest}i`);
    client.start(longest);

    // Assess: starts are answered in order, so the first one's answer is in by the second's
    expect(await client.next('start_ack', longest)).toEqual({ type: 'start_ack', id: longest });
    expect(client.messages.filter((message) => message.id === `${longest}i`)).toEqual([
      {
        type: 'error',
        id: `${longest}i`,
        payload: {
          errors: [
            {
              errorType: 'BadRequestException',
              message: `Invalid message: the subscription id is longer than the local stack's limit of ${maxSubscriptionIdChars} characters.`,
              errorCode: 400,
            },
          ],
        },
      },
    ]);
    client.socket.close();
    await client.closed;
  });

  it('refuses a start whose document would take its connection past the per-connection budget; a stop frees it', async () => {
    // Prepare
    const { perConnectionBytes } = defaultSubscriptionDocumentLimits;
    const fit = Math.floor(perConnectionBytes / bigDocumentBytes);
    const client = await initialisedClient();
    for (let index = 0; index < fit; index += 1) {
      client.start(`big-${index}`, bigDocument(`c${String(index).padStart(3, '0')}`));
      await client.next('start_ack', `big-${index}`);
    }

    // Act: one more big document, then an everyday one
    client.start('one-too-many', bigDocument('cmax'));
    const refused = await client.answer('one-too-many');
    client.start('small');

    // Assess: the refusal names the limit; an everyday document still fits
    expect(refused).toEqual({
      type: 'error',
      id: 'one-too-many',
      payload: {
        errors: [
          {
            errorType: 'SubscriptionDocumentLimitExceeded',
            message: `The subscription's document (about ${bigDocumentBytes} bytes parsed) would take this connection's subscription documents past the local stack's limit of ${perConnectionBytes} bytes per connection; stop a subscription or send a smaller document.`,
          },
        ],
      },
    });
    expect(await client.next('start_ack', 'small')).toEqual({ type: 'start_ack', id: 'small' });

    // Act: a stop frees its document's bytes
    await client.stopAll(['big-0']);
    client.start('after-stop', bigDocument('cmax'));

    // Assess
    expect(await client.answer('after-stop')).toEqual({ type: 'start_ack', id: 'after-stop' });
    await client.stopAll([...Array.from({ length: fit - 1 }, (_, index) => `big-${index + 1}`), 'small', 'after-stop']);
    client.socket.close();
    await client.closed;
  });

  it('counts a document shared by many subscriptions once, and each distinct one on its own', async () => {
    // Prepare: a document short enough to be cached, so every start of its text gets the same parse
    const shared = aliasDocument('shrd', 750);
    const sharedBytes = shared.length * estimatedBytesPerChar;
    const starts = Math.ceil(defaultSubscriptionDocumentLimits.perConnectionBytes / sharedBytes) + 1;
    const client = await initialisedClient();

    // Act: more starts of it than the budget holds copies
    for (let index = 0; index < starts; index += 1) client.start(`shared-${index}`, shared);

    // Assess: every one acked
    for (let index = 0; index < starts; index += 1) expect(await client.answer(`shared-${index}`)).toEqual({ type: 'start_ack', id: `shared-${index}` });

    // Act: documents of the same length, each different, until one is refused
    const distinct: string[] = [];
    let refused: Record<string, unknown> | undefined;
    while (refused === undefined && distinct.length < 100) {
      const id = `distinct-${distinct.length}`;
      client.start(id, aliasDocument(`d${String(distinct.length).padStart(3, '0')}`, 750));
      const answer = await client.answer(id);
      if (answer?.type === 'start_ack') distinct.push(id);
      else refused = answer;
    }

    // Assess: each charged on its own, next to the shared one's single charge
    expect(distinct).toHaveLength(Math.floor(defaultSubscriptionDocumentLimits.perConnectionBytes / sharedBytes) - 1);
    expect(refused).toMatchObject({ payload: { errors: [{ errorType: 'SubscriptionDocumentLimitExceeded' }] } });
    await client.stopAll([...Array.from({ length: starts }, (_, index) => `shared-${index}`), ...distinct]);
    client.socket.close();
    await client.closed;
  });

  it('refuses a start whose document would take all connections past the stack-wide budget; a stop or a closed connection frees its share', async () => {
    // Prepare: every connection holds as many big documents as its own budget lets it, until the stack's is full
    const { perConnectionBytes, totalBytes } = defaultSubscriptionDocumentLimits;
    const perConnection = Math.floor(perConnectionBytes / bigDocumentBytes);
    const total = Math.floor(totalBytes / bigDocumentBytes);
    const clients: Awaited<ReturnType<typeof initialisedClient>>[] = [];
    for (let started = 0; started < total; ) {
      const client = await initialisedClient();
      clients.push(client);
      for (let index = 0; index < perConnection && started < total; index += 1, started += 1) {
        client.start(`big-${index}`, bigDocument(`t${String(started).padStart(3, '0')}`));
        await client.next('start_ack', `big-${index}`);
      }
    }
    const last = await initialisedClient();

    // Act
    last.start('over-total', bigDocument('tmax'));
    const refused = await last.answer('over-total');

    // Assess
    expect(refused).toEqual({
      type: 'error',
      id: 'over-total',
      payload: {
        errors: [
          {
            errorType: 'SubscriptionDocumentLimitExceeded',
            message: `The subscription's document (about ${bigDocumentBytes} bytes parsed) would take the subscription documents of all connections past the local stack's limit of ${totalBytes} bytes; try again once other subscriptions end.`,
          },
        ],
      },
    });

    // Act: one connection stops a subscription, another goes with its subscriptions
    await clients[0]!.stopAll(['big-0']);
    last.start('after-stop', bigDocument('tmax'));
    const afterStop = await last.answer('after-stop');
    const closing = clients.pop()!;
    closing.socket.close();
    await closing.closed;
    // The server sees the close a moment after the client does (each side's TCP close is its own event), so the
    // start is sent again, each time after the answer to the last, until one is acked: never, if a close freed nothing.
    let afterClose: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 50 && afterClose?.type !== 'start_ack'; attempt += 1) {
      last.start(`after-close-${attempt}`, bigDocument('tclo'));
      afterClose = await last.answer(`after-close-${attempt}`);
    }

    // Assess
    expect(afterStop).toEqual({ type: 'start_ack', id: 'after-stop' });
    expect(afterClose).toMatchObject({ type: 'start_ack' });
    for (const client of [...clients, last]) {
      client.socket.close();
      await client.closed;
    }
  });

  it('drops and logs a data message whose payload is over 240 kB, and delivers the next one', async () => {
    // Prepare
    const client = await initialisedClient();
    client.start('big');
    await client.next('start_ack', 'big');
    const publish = (id: string, fileName: string) =>
      postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input: labeledPublishInput({ id, fileName }) } }, { region, credentials });

    // Act: one payload over the limit, then a small one
    const oversize = await publish('img-big', 'x'.repeat(RealtimeLimits.subscriptionPayloadBytes));
    const small = await publish('img-small', 'cat.jpg');

    // Assess: the mutation itself succeeds; only the small payload reaches the subscriber; the drop is logged
    expect(oversize.status).toBe(200);
    expect(small.status).toBe(200);
    expect(await client.next('data', 'big')).toEqual({ type: 'data', id: 'big', payload: { data: { onImageLabeled: { id: 'img-small', fileName: 'cat.jpg' } } } });
    expect(client.messages.filter((message) => message.type === 'data')).toEqual([]);
    const drops = logged.map(({ where, error }) => `${where}: ${(error as Error).message}`).filter((line) => line.includes('subscription big '));
    expect(drops).toEqual([
      expect.stringMatching(/^realtime data: data message for subscription big dropped: payload of \d+ bytes is over AppSync's 240000-byte limit$/),
    ]);
    client.socket.close();
    await client.closed; // gone from the registry before the next test publishes
  });

  it('refuses a start nested past the query depth limit', async () => {
    // Prepare
    const client = connect();
    await client.opened;

    // Act: onImageLabeled(1) › labels(2) › instances(3) › confidence(4)
    client.start('deep', 'subscription { onImageLabeled { labels { instances { confidence } } } }');

    // Assess
    expect(await client.next('error', 'deep')).toMatchObject({
      payload: { errors: [{ errorType: 'QueryDepthLimitReached', message: 'Query depth limit of 3 reached.', path: null }] },
    });
    client.socket.close();
    await client.closed; // gone from the registry before the next test publishes
  });

  it('acks a start whose 40 fragments each spread the next twice (2^40 spreads, walked once each)', async () => {
    // Prepare
    const fragments = Array.from({ length: 40 }, (_, index) => `fragment F${index} on Image { ...F${index + 1} ...F${index + 1} }`);
    const query = `subscription { onImageLabeled { ...F0 } } ${fragments.join(' ')} fragment F40 on Image { id }`;
    const client = connect();
    await client.opened;

    // Act
    client.start('chain', query);

    // Assess: an exponential walk would never get here
    expect(await client.next('start_ack', 'chain')).toEqual({ type: 'start_ack', id: 'chain' });
    client.socket.close();
    await client.closed; // gone from the registry before the next test publishes
  });
  it('cuts a client that never reads its socket once its unread backlog passes the limit, and keeps serving a reader', { timeout: 60_000 }, async () => {
    // Prepare: two subscribers of every image; one stops reading its TCP socket
    const subscribe = async (id: string) => {
      const client = await initialisedClient();
      client.start(id);
      await client.next('start_ack', id);
      return client;
    };
    const stalled = await subscribe('stalled');
    const reader = await subscribe('reader');
    (stalled.socket as unknown as { _socket: Duplex })._socket.pause();
    const cuts = () => logged.filter(({ where }) => where === 'realtime slow consumer');
    const payloadBytes = 200_000;

    // Act: publish 200 kB payloads until the server gives up on the stalled socket (at most 150: 30 MB, past the socket buffers of loopback TCP and TLS)
    let published = 0;
    while (published < 150 && cuts().length === 0) {
      const answer = await postSigned(appsync.graphqlUrl, ca, { query: publishMutation, variables: { input: labeledPublishInput({ id: `img-slow-${published}`, fileName: 'x'.repeat(payloadBytes) }) } }, { region, credentials });
      expect(answer.status).toBe(200);
      published += 1;
    }

    // Assess: cut once, before 150 payloads, with what it left unread in the log; the reader got every payload
    expect(cuts()).toHaveLength(1);
    expect((cuts()[0]!.error as Error).message).toMatch(new RegExp(`^realtime connection cut: the client left \\d+ bytes unread, over the ${maxUnsentBytes}-byte limit$`));
    expect(published).toBeLessThan(150);
    for (let index = 0; index < published; index += 1) {
      expect(await reader.next('data', 'reader')).toMatchObject({ payload: { data: { onImageLabeled: { id: `img-slow-${index}` } } } });
    }
    (stalled.socket as unknown as { _socket: Duplex })._socket.resume();
    expect((await stalled.closed).code).toBe(1006);
    reader.socket.close();
    await reader.closed; // gone from the registry before the next test publishes
  });
});
