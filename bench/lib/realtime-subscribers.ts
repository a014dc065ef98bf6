/**
 * Many onImageLabeled subscribers, as many users' apps would hold them: spread
 * over as many realtime WebSockets as AppSync's per-connection quota needs
 * (RealtimeLimits.subscriptionsPerConnection, 100), each a raw `ws` client
 * speaking AppSync's realtime protocol with API-key auth. aws-amplify v6 keeps
 * one realtime socket per process, so it cannot open more than 100 here.
 *
 * Each data message is handed over with the time it arrived on its socket, so
 * a measure times delivery from publish to each subscriber, not to when a
 * shared callback got round to it.
 */
import { WebSocket } from 'ws';
import { OnImageLabeledDocument, type Image } from '../../client-example/graphql/index.ts';
import { MessageType, RealtimeLimits, realtimeSubprotocol } from '../../local/appsync/realtime/protocol.ts';

export class RealtimeSubscribersError extends Error {
  public override readonly name = 'RealtimeSubscribersError';
}

export interface RealtimeEndpoint {
  /** The API's GraphQL URL (amplify_outputs `data.url`). */
  readonly graphqlUrl: string;
  readonly apiKey: string;
}

export interface RealtimeSubscribers {
  /** How many WebSockets carry the subscriptions. */
  readonly connections: number;
  /** Closes every socket. */
  close(): void;
}

/** Called for every data message: which subscriber, its image, and performance.now() when the message arrived. */
export type OnImage = (subscriber: number, image: Image, receivedAt: number) => void;

/**
 * AppSync's realtime URL for a GraphQL URL, as aws-amplify derives it: the
 * `appsync-realtime-api` host for an AppSync domain, `<url>/realtime` for a
 * custom one (which is what the offline stack serves).
 */
export function realtimeUrlFor(graphqlUrl: string): string {
  const url = new URL(graphqlUrl);
  url.protocol = 'wss:';
  if (/\.appsync-api\.[^.]+\.amazonaws\.com(\.cn)?$/.test(url.hostname)) url.hostname = url.hostname.replace('.appsync-api.', '.appsync-realtime-api.');
  else url.pathname = `${url.pathname.replace(/\/$/, '')}/realtime`;
  return url.toString();
}

/**
 * Opens `count` onImageLabeled subscriptions with `variables` (`{}` for every
 * image), at most RealtimeLimits.subscriptionsPerConnection per socket, and
 * resolves once AppSync acknowledged every one of them, so none misses an
 * event published afterwards. `onError` gets anything a socket reports later.
 */
export async function openSubscribers(
  endpoint: RealtimeEndpoint,
  count: number,
  variables: { imageId?: string },
  onImage: OnImage,
  onError: (error: Error) => void = () => undefined,
): Promise<RealtimeSubscribers> {
  const perConnection = RealtimeLimits.subscriptionsPerConnection;
  const sockets: WebSocket[] = [];
  const state = { closing: false };
  const close = () => {
    state.closing = true;
    for (const socket of sockets) socket.terminate();
  };
  try {
    const connections = Array.from({ length: Math.ceil(count / perConnection) }, (_, index) => {
      const first = index * perConnection;
      return openConnection(endpoint, first, Math.min(perConnection, count - first), variables, onImage, onError, sockets, state);
    });
    await Promise.all(connections);
  } catch (error) {
    close();
    throw error;
  }
  return { connections: sockets.length, close };
}

/** One socket: connection_init, then `size` starts numbered from `first`; resolves when all are acknowledged. */
async function openConnection(
  endpoint: RealtimeEndpoint,
  first: number,
  size: number,
  variables: { imageId?: string },
  onImage: OnImage,
  onError: (error: Error) => void,
  sockets: WebSocket[],
  state: { readonly closing: boolean },
): Promise<void> {
  const host = new URL(endpoint.graphqlUrl).host;
  const authorization = { host, 'x-api-key': endpoint.apiKey };
  // The connection's auth goes in a `header-<base64url JSON>` subprotocol, as aws-amplify v6 sends it.
  const header = `header-${Buffer.from(JSON.stringify(authorization)).toString('base64url')}`;
  const socket = new WebSocket(realtimeUrlFor(endpoint.graphqlUrl), [realtimeSubprotocol, header]);
  sockets.push(socket);
  const data = JSON.stringify({ query: OnImageLabeledDocument.toString(), variables });
  let pending = size;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => (pending > 0 ? reject(error) : onError(error));
    socket.on('open', () => socket.send(JSON.stringify({ type: MessageType.connectionInit })));
    socket.on('error', fail);
    socket.on('close', (code) => {
      if (!state.closing) fail(new RealtimeSubscribersError(`realtime socket closed (${code}) while subscribers were open`));
    });
    socket.on('message', (raw) => {
      const receivedAt = performance.now();
      const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: { data?: { onImageLabeled?: Image | null } } & Record<string, unknown> };
      switch (message.type) {
        case MessageType.connectionAck:
          for (let subscriber = first; subscriber < first + size; subscriber += 1) {
            socket.send(JSON.stringify({ id: String(subscriber), type: MessageType.start, payload: { data, extensions: { authorization } } }));
          }
          return;
        case MessageType.startAck:
          if (--pending === 0) resolve();
          return;
        case MessageType.data: {
          const image = message.payload?.data?.onImageLabeled;
          if (image) onImage(Number(message.id), image, receivedAt);
          else onError(new RealtimeSubscribersError(`subscriber ${message.id} got a data message without an image: ${JSON.stringify(message.payload)}`));
          return;
        }
        case MessageType.connectionError:
        case MessageType.error:
          fail(new RealtimeSubscribersError(`realtime ${message.type}${message.id === undefined ? '' : ` for subscriber ${message.id}`}: ${JSON.stringify(message.payload)}`));
          return;
        default:
          return; // ka, complete
      }
    });
  });
}
