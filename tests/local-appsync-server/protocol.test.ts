import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connectionAuthHeader, connectionPayload, parseClientMessage } from '../../local/appsync/realtime/protocol.ts';

const upgradeRequest = (url: string, protocols?: string) =>
  ({ url, headers: protocols ? { 'sec-websocket-protocol': protocols } : {} }) as unknown as IncomingMessage;

describe('realtime protocol', () => {
  const header = { host: '127.0.0.1:4750', 'x-api-key': 'da2-abc' };

  it('reads the auth header from a header-<base64url> subprotocol (amplify v6)', () => {
    const encoded = Buffer.from(JSON.stringify(header)).toString('base64url');
    expect(connectionAuthHeader(upgradeRequest('/graphql/realtime', `graphql-ws, header-${encoded}`))).toEqual(header);
  });

  it('reads the auth header from the header query parameter (older clients)', () => {
    const encoded = encodeURIComponent(Buffer.from(JSON.stringify(header)).toString('base64'));
    const request = upgradeRequest(`/graphql/realtime?header=${encoded}&payload=e30=`, 'graphql-ws');
    expect(connectionAuthHeader(request)).toEqual(header);
    expect(connectionPayload(request)).toBe('{}');
  });

  it('has no auth header when none was sent or it is not JSON', () => {
    expect(connectionAuthHeader(upgradeRequest('/graphql/realtime', 'graphql-ws'))).toBeUndefined();
    expect(connectionAuthHeader(upgradeRequest('/graphql/realtime', 'graphql-ws, header-bm90IGpzb24'))).toBeUndefined();
  });

  it('parses client messages', () => {
    expect(parseClientMessage('{"type":"connection_init"}')).toEqual({ type: 'connection_init' });
    expect(
      parseClientMessage(JSON.stringify({ id: '1', type: 'start', payload: { data: '{"query":"subscription { a }"}', extensions: { authorization: { a: 'b' } } } })),
    ).toEqual({ type: 'start', id: '1', data: '{"query":"subscription { a }"}', authorization: { a: 'b' } });
    expect(parseClientMessage('{"type":"stop","id":"1"}')).toEqual({ type: 'stop', id: '1' });
    expect(parseClientMessage('not json')).toEqual({ type: 'malformed' });
    expect(parseClientMessage('{"type":"start","id":"1"}')).toEqual({ type: 'malformed' });
    expect(parseClientMessage('{"type":"subscribe","id":"1"}')).toEqual({ type: 'unknown', rawType: 'subscribe', id: '1' });
  });
});
