/**
 * AppSync's limits on the running offline stack, as a client meets them:
 * a 101st subscription on one realtime connection (raw WSS, AppSync's
 * protocol, with the clients' generated subscription document) is refused with
 * MaxSubscriptionsReachedError, and a hand-written document whose 40 fragments
 * each spread the next twice (no client sends one) is answered over HTTPS.
 */
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { OnImageLabeledDocument } from '../../client-example/graphql/index.ts';
import { amplifyOutputs, postGraphql } from '../support/amplify-client.ts';
import { recordRealtimeMessages } from '../support/realtime-messages.ts';

/** A realtime socket on the stack's endpoint, authorised with the API key (the stack's CA is trusted via NODE_EXTRA_CA_CERTS). */
function connectRealtime() {
  const { data } = amplifyOutputs();
  const host = new URL(data.url).host;
  const authorization = { host, 'x-api-key': data.api_key };
  const header = Buffer.from(JSON.stringify(authorization)).toString('base64url');
  const socket = new WebSocket(`${data.url.replace(/^https:/, 'wss:')}/realtime`, ['graphql-ws', `header-${header}`]);
  const { next, opened } = recordRealtimeMessages(socket);
  const start = (id: string) =>
    socket.send(
      JSON.stringify({
        id,
        type: 'start',
        payload: { data: JSON.stringify({ query: OnImageLabeledDocument.toString(), variables: {} }), extensions: { authorization } },
      }),
    );
  return { socket, next, opened, start };
}

describe('Realtime: subscriptions per connection', () => {
  it('acks 100 subscriptions on one connection and refuses the 101st with MaxSubscriptionsReachedError', async () => {
    // Prepare
    const client = connectRealtime();
    await client.opened;
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    await client.next('connection_ack');

    // Act
    for (let index = 1; index <= 100; index += 1) client.start(`sub-${index}`);
    for (let index = 1; index <= 100; index += 1) await client.next('start_ack', `sub-${index}`);
    client.start('sub-101');

    // Assess
    expect(await client.next('error', 'sub-101')).toEqual({
      type: 'error',
      id: 'sub-101',
      payload: { errors: { errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 100 subscriptions reached' } },
    });
    client.socket.close();
  });
});

describe('Queries: fragments that spread each other twice', () => {
  it('answers 40 fragments each spreading the next twice (2^40 spreads)', async () => {
    // Prepare
    const fragments = Array.from({ length: 40 }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`);
    const query = `query Chain { ...F0 } ${fragments.join(' ')} fragment F40 on Query { labels(limit: 1) { items { name } } }`;

    // Act: an exponential walk of the document would never answer
    const response = await postGraphql({ query }, { 'x-api-key': amplifyOutputs().data.api_key });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ labels: { items: expect.any(Array) } });
  });
});
