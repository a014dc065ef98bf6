/**
 * AppSync's realtime WebSocket protocol (subprotocol `graphql-ws`, AppSync's
 * own dialect): message types, the server's messages, and reading what the
 * client sends, including the connection's auth header, which arrives as a
 * `header-<base64url JSON>` subprotocol (aws-amplify v6) or a `header` query
 * parameter (older clients).
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLResponseError } from '../server/errors.ts';

export const realtimeSubprotocol = 'graphql-ws';

export const MessageType = {
  connectionInit: 'connection_init',
  connectionAck: 'connection_ack',
  connectionError: 'connection_error',
  keepAlive: 'ka',
  start: 'start',
  startAck: 'start_ack',
  data: 'data',
  error: 'error',
  stop: 'stop',
  complete: 'complete',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** An error entry of a realtime `error` / `connection_error` message. */
export interface RealtimeError {
  readonly errorType?: string;
  readonly message: string;
  readonly errorCode?: number;
}

type RealtimeErrorEntry = RealtimeError | GraphQLResponseError;

export const ServerMessages = {
  connectionAck: (connectionTimeoutMs: number) => ({ type: MessageType.connectionAck, payload: { connectionTimeoutMs } }),
  connectionError: (errors: readonly RealtimeError[]) => ({ type: MessageType.connectionError, payload: { errors } }),
  keepAlive: () => ({ type: MessageType.keepAlive }),
  startAck: (id: string) => ({ type: MessageType.startAck, id }),
  data: (id: string, payload: { data: unknown; errors?: readonly unknown[] }) => ({ type: MessageType.data, id, payload }),
  error: (id: string | undefined, errors: readonly RealtimeErrorEntry[]) => ({ type: MessageType.error, ...(id === undefined ? {} : { id }), payload: { errors } }),
  complete: (id: string) => ({ type: MessageType.complete, id }),
  /**
   * The refusal of a `start` past the subscriptions a connection may hold. AppSync
   * sends this one error as an object, not a list: `{"errors":{"errorType":…}}`,
   * as aws-amplify reports it ("Connection failed: {"errors":{"errorType":
   * "MaxSubscriptionsReachedError","message":"Max number of 100 subscriptions reached"}}")
   * and amplify-swift's tests decode it.
   */
  maxSubscriptionsReached: (id: string, limit: number) => ({
    type: MessageType.error,
    id,
    payload: { errors: { errorType: 'MaxSubscriptionsReachedError', message: `Max number of ${limit} subscriptions reached` } },
  }),
} as const;

/**
 * AppSync's realtime quotas (Service Quotas, AWS AppSync): "Subscriptions per
 * connection" 100 and "Subscription payload size" 240 kilobytes.
 */
export const RealtimeLimits = {
  subscriptionsPerConnection: 100,
  /**
   * A data message whose payload is larger is not delivered (AppSync counts it as
   * an InboundMessageError). AWS writes "240 kB" without saying 1000 or 1024:
   * 240,000 bytes is the stricter reading, so nothing delivered here can be
   * dropped on AWS.
   */
  subscriptionPayloadBytes: 240_000,
} as const;

export const RealtimeErrors = {
  unauthorized: (): RealtimeError => ({ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }),
  unsupportedOperation: (type: string): RealtimeError => ({ errorType: 'UnsupportedOperation', message: `Operation not supported through the realtime channel: ${type}` }),
  malformedMessage: (): RealtimeError => ({ errorType: 'BadRequestException', message: 'Invalid message: the message could not be parsed.', errorCode: 400 }),
  notInitialised: (): RealtimeError => ({ errorType: 'BadRequestException', message: 'The connection was not initialised: send connection_init first.', errorCode: 400 }),
  notASubscription: (): RealtimeError => ({ errorType: 'UnsupportedOperation', message: 'Only subscription operations are supported through the realtime channel.' }),
  unparsablePayload: (): RealtimeError => ({ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }),
  /** A start whose id a live subscription of the connection already has (AppSync's words, as aws-amplify reports them). */
  duplicatedOperation: (id: string): RealtimeError => ({ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }),
  /** A start whose id is longer than the local stack keeps (connection.ts maxSubscriptionIdChars; AWS documents no bound). */
  idTooLong: (limit: number): RealtimeError => ({
    errorType: 'BadRequestException',
    message: `Invalid message: the subscription id is longer than the local stack's limit of ${limit} characters.`,
    errorCode: 400,
  }),
} as const;

/** A message from the client, loosely checked. */
export type ClientMessage =
  | { readonly type: typeof MessageType.connectionInit }
  | { readonly type: typeof MessageType.start; readonly id: string; readonly data: string; readonly authorization: unknown }
  | { readonly type: typeof MessageType.stop; readonly id: string }
  | { readonly type: 'unknown'; readonly rawType: string; readonly id?: string }
  | { readonly type: 'malformed' };

export function parseClientMessage(raw: string): ClientMessage {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return { type: 'malformed' };
  }
  if (typeof message !== 'object' || message === null) return { type: 'malformed' };
  const { type, id, payload } = message as Record<string, unknown>;
  if (typeof type !== 'string') return { type: 'malformed' };
  switch (type) {
    case MessageType.connectionInit:
      return { type };
    case MessageType.start: {
      if (typeof id !== 'string' || id === '' || typeof payload !== 'object' || payload === null) return { type: 'malformed' };
      const { data, extensions } = payload as Record<string, unknown>;
      if (typeof data !== 'string') return { type: 'malformed' };
      const authorization = typeof extensions === 'object' && extensions !== null ? (extensions as Record<string, unknown>).authorization : undefined;
      return { type, id, data, authorization };
    }
    case MessageType.stop:
      return typeof id === 'string' ? { type, id } : { type: 'malformed' };
    default:
      return { type: 'unknown', rawType: type, ...(typeof id === 'string' ? { id } : {}) };
  }
}

const decodeJsonObject = (encoded: string): Record<string, unknown> | undefined => {
  try {
    // Node's base64 decoder takes both alphabets, padded or not.
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** The connection's auth headers, from the `header-…` subprotocol or the `header` query parameter. */
export function connectionAuthHeader(request: IncomingMessage): Record<string, unknown> | undefined {
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((value) => value.trim());
  const fromProtocol = protocols.find((value) => value.startsWith('header-'));
  if (fromProtocol) return decodeJsonObject(fromProtocol.slice('header-'.length));
  const query = new URL(request.url ?? '/', 'https://local').searchParams.get('header');
  return query ? decodeJsonObject(query) : undefined;
}

/** The connection's signed payload: `{}` unless a `payload` query parameter says otherwise. */
export function connectionPayload(request: IncomingMessage): string {
  const query = new URL(request.url ?? '/', 'https://local').searchParams.get('payload');
  if (!query) return '{}';
  try {
    return Buffer.from(query, 'base64').toString('utf8');
  } catch {
    return '{}';
  }
}
