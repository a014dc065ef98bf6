/**
 * One realtime WebSocket: connection_init → connection_ack and keep-alives,
 * start → auth, then server/subscribe.ts (the execution a query gets:
 * validation, field auth, coercion, the subscription resolver) → start_ack
 * (or error) and a data message per matching published payload, stop → complete. Connection auth is checked once at connection_init;
 * each start carries its own auth, which may use a different mode.
 *
 * AppSync's realtime limits apply: at most 100 subscriptions per connection
 * (the 101st start gets MaxSubscriptionsReachedError), one live subscription
 * an id (a start with the id of a live one gets DuplicatedOperationError;
 * after its stop the id is free again), data messages whose
 * payload is over 240 kB are dropped and logged, not sent, and a socket that
 * sends neither connection_init nor a start within a window is closed.
 *
 * A socket whose own auth (its header, checked at connection_init or at its
 * first start) does not hold does not outlive that window: its connection_init
 * gets connection_error and the socket is closed at once, and a start refused as
 * unauthorized does not keep it open (it is closed at the window's end).
 *
 * Bounds of our own keep one client from growing the server's memory
 * (AWS documents none; a service holding millions of sockets has them):
 * - what live subscriptions keep of their parsed documents is counted in
 *   bytes against a budget per connection and one for the whole stack
 *   (document-budget.ts): past either, a start is refused with
 *   SubscriptionDocumentLimitExceeded;
 * - a start's id may be at most `maxSubscriptionIdChars` long (past it,
 *   BadRequestException);
 * - a socket that does not read what it is sent (a slow or stalled client)
 *   is cut once more than `maxUnsentBytes` wait in its send buffer, rather
 *   than buffering every payload published to it; the client sees the
 *   connection drop, and aws-amplify reconnects and resubscribes;
 * - a client that sends faster than its messages are handled (starts run
 *   one at a time, each through auth and validation) is not read from
 *   while `maxPendingMessages` of its messages wait: TCP backpressure holds
 *   the rest on the client's side.
 */
import type { WebSocket } from 'ws';
import { RealtimeLimitError } from '../errors.ts';
import type { ResolverRuntime } from '../resolvers/index.ts';
import { authenticate, headersFromObject, type AuthResult, type AuthSettings } from '../server/auth.ts';
import { parsedDocumentCache } from '../server/documents.ts';
import { internalFailure } from '../server/errors.ts';
import { graphQLRequestBody } from '../server/request-body.ts';
import type { ServedSchema } from '../server/schema.ts';
import type { RateLimiter } from '../server/rate-limit.ts';
import { subscribeOperation, type SubscribeOutcome, type SubscriptionEvent } from '../server/subscribe.ts';
import { parseClientMessage, RealtimeErrors, RealtimeLimits, ServerMessages, type RealtimeError } from './protocol.ts';
import type { SubscriptionDocumentBudget } from './document-budget.ts';
import type { LiveSubscription, SubscriptionRegistry } from './subscriptions.ts';
import { countRealtimeMessage } from '../../stack-usage.ts';

export interface RealtimeTimings {
  /** Sent in connection_ack: how long the client waits for a `ka` before giving up. */
  readonly connectionTimeoutMs: number;
  /** How often the server sends `ka`. */
  readonly keepAliveIntervalMs: number;
  /**
   * How long a socket may stay open without sending connection_init or a start
   * before it is closed. connection_init is optional on AppSync (a client may
   * start right away), so either one counts. AWS publishes no figure for the
   * window. @default 15000, the time aws-amplify itself waits for connection_ack
   */
  readonly connectionInitTimeoutMs?: number;
}

export const defaultConnectionInitTimeoutMs = 15_000;

/** Bytes a socket may leave unread in its send buffer before it is cut: some 17 payloads of AppSync's largest size. */
export const maxUnsentBytes = 4 * 1024 * 1024;

/** Messages of one socket waiting to be handled before the socket is no longer read from (until they are). */
export const maxPendingMessages = 16;

/**
 * Longest subscription id a start may carry, in UTF-16 code units. AWS documents no bound; aws-amplify
 * sends a UUID (36 characters). 100 ids of 200 KB each once added 21 MiB to a connection.
 */
export const maxSubscriptionIdChars = 256;

/** WebSocket close code when a slow consumer is cut: 1008, policy violation (reported locally as 1006, as the socket is destroyed). */
export const slowConsumerCloseCode = 1008;

/** WebSocket close code for a socket that never initialised: the GraphQL-over-WebSocket convention (4408), as AWS documents none. */
export const connectionInitTimeoutCloseCode = 4408;

export interface ConnectionContext {
  readonly served: ServedSchema;
  readonly runtime: ResolverRuntime;
  readonly registry: SubscriptionRegistry;
  /** What live subscriptions may keep of their parsed documents, per connection and in all (document-budget.ts). */
  readonly subscriptionDocuments: SubscriptionDocumentBudget;
  readonly auth: AuthSettings;
  readonly timings: RealtimeTimings;
  /** The GraphQL endpoint's path; IAM requests are signed against it (+ `/connect`). */
  readonly graphqlPath: string;
  readonly onInternalError?: (error: unknown, where: string) => void;
  /** The API's rate-based rule, asked at each connect (the upgrade request). @default none */
  readonly rateLimiter?: RateLimiter;
}

/** A live subscription of this socket; closing it removes it everywhere and ends its stream. */
interface ConnectionSubscription extends LiveSubscription {
  close(): void;
}

export interface ConnectionInfo {
  /** Verified at upgrade: the connection's own auth. */
  readonly connectionAuth: Promise<AuthResult>;
  readonly sourceIp: string;
}

/** Serves one socket until it closes; returns a function that ends it. */
export function serveConnection(socket: WebSocket, connection: ConnectionInfo, context: ConnectionContext): () => void {
  const subscriptions = new Map<string, ConnectionSubscription>();
  const documents = context.subscriptionDocuments.connection();
  let acknowledged = false;
  let keepAlive: NodeJS.Timeout | undefined;
  // Messages are handled one at a time, in order, as they arrived.
  let queue = Promise.resolve();

  const send = (message: unknown) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > maxUnsentBytes) {
      // The client has not read for a while: cut it rather than hold its backlog. terminate(), not close(): a close frame would queue behind the backlog.
      context.onInternalError?.(
        new RealtimeLimitError(`realtime connection cut: the client left ${socket.bufferedAmount} bytes unread, over the ${maxUnsentBytes}-byte limit`),
        'realtime slow consumer',
      );
      removeAll();
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify(message));
  };

  // AppSync does not deliver a subscription payload over its size quota; the subscriber just never sees it.
  const sendData = (id: string, payload: { data: unknown; errors?: readonly unknown[] }) => {
    const payloadBytes = Buffer.byteLength(JSON.stringify(payload));
    if (payloadBytes > RealtimeLimits.subscriptionPayloadBytes) {
      const message = `data message for subscription ${id} dropped: payload of ${payloadBytes} bytes is over AppSync's ${RealtimeLimits.subscriptionPayloadBytes}-byte limit`;
      context.onInternalError?.(new RealtimeLimitError(message), 'realtime data');
      return;
    }
    countRealtimeMessage();
    send(ServerMessages.data(id, payload));
  };

  let initTimer: NodeJS.Timeout | undefined = setTimeout(() => {
    initTimer = undefined;
    socket.close(connectionInitTimeoutCloseCode, 'Connection initialisation timeout');
  }, context.timings.connectionInitTimeoutMs ?? defaultConnectionInitTimeoutMs);
  initTimer.unref();
  // Only a connection whose own auth holds outlives the window: a client without credentials that only sent starts is closed at its end.
  const endInitWindow = () => {
    if (initTimer) clearTimeout(initTimer);
    initTimer = undefined;
  };

  const removeAll = () => {
    endInitWindow();
    for (const subscription of [...subscriptions.values()]) subscription.close();
    subscriptions.clear();
    if (keepAlive) clearInterval(keepAlive);
    keepAlive = undefined;
  };

  const init = async () => {
    const auth = await connection.connectionAuth;
    if (!auth.ok) {
      send(ServerMessages.connectionError([RealtimeErrors.unauthorized()]));
      socket.close(1000, 'Unauthorized');
      return;
    }
    endInitWindow();
    if (acknowledged) return;
    acknowledged = true;
    send(ServerMessages.connectionAck(context.timings.connectionTimeoutMs));
    send(ServerMessages.keepAlive());
    keepAlive = setInterval(() => send(ServerMessages.keepAlive()), context.timings.keepAliveIntervalMs);
    keepAlive.unref();
  };

  const startError = (id: string, errors: Parameters<typeof ServerMessages.error>[1]) => send(ServerMessages.error(id, errors));

  const start = async (id: string, data: string, authorization: unknown) => {
    // Looked at before anything else: the id is what a live subscription keeps of the message besides its document.
    if (id.length > maxSubscriptionIdChars) return startError(id, [RealtimeErrors.idTooLong(maxSubscriptionIdChars)]);
    // An id names one live subscription: AppSync refuses a second start with it until a stop ends the first.
    if (subscriptions.has(id)) return startError(id, [RealtimeErrors.duplicatedOperation(id)]);
    // Counted before the start's content: past the quota, nothing of it is looked at.
    if (subscriptions.size >= RealtimeLimits.subscriptionsPerConnection) {
      return send(ServerMessages.maxSubscriptionsReached(id, RealtimeLimits.subscriptionsPerConnection));
    }
    if (!acknowledged) {
      // connection_init is optional: the connection's auth still has to hold, and only then does the start end the init window.
      const auth = await connection.connectionAuth;
      if (!auth.ok) return startError(id, [RealtimeErrors.unauthorized()]);
      endInitWindow();
    }
    const auth = await authenticate(
      { method: 'POST', url: context.graphqlPath, headers: headersFromObject(authorization), body: data, sourceIp: connection.sourceIp },
      context.auth,
    );
    if (!auth.ok) return startError(id, [{ errorType: auth.error.errorType, message: auth.error.message, errorCode: auth.error.status }]);

    let request: unknown;
    try {
      request = JSON.parse(data);
    } catch {
      return startError(id, [RealtimeErrors.unparsablePayload()]);
    }
    const body = graphQLRequestBody(request);
    if (!body) return startError(id, [RealtimeErrors.unparsablePayload()]);
    // A text too long to be cached parses to a copy of its own, shared with no one: past the budget, it is not parsed at all.
    if (body.query.length > parsedDocumentCache(context.served).limits.maxDocumentChars) {
      const refused = documents.refusalOfNew(body.query);
      if (refused) return startError(id, [refused.error]);
    }

    // The same execution context a query gets: auth per field, coercion, the resolver, error shapes.
    const outcome = await subscribeOperation({
      served: context.served,
      runtime: context.runtime,
      caller: auth.caller,
      body,
      request: { headers: headersAsStrings(authorization), domainName: null },
      onInternalError: context.onInternalError,
      keepDocument: (document, text) => documents.keep(document, text),
    });
    if (!outcome.ok) return startError(id, startRefusal(outcome));
    const source = outcome.subscription;

    if (socket.readyState !== socket.OPEN) return source.close();
    const subscription: ConnectionSubscription = {
      id,
      fieldName: source.fieldName,
      arguments: source.arguments,
      filter: source.filter,
      invalidationFilter: source.invalidationFilter,
      deliver: source.publish,
      end: () => {
        subscription.close();
        send(ServerMessages.complete(id));
      },
      close: () => {
        context.registry.remove(subscription);
        source.close();
        if (subscriptions.get(id) === subscription) subscriptions.delete(id);
      },
    };
    subscriptions.set(id, subscription);
    context.registry.add(subscription);
    send(ServerMessages.startAck(id));
    void deliverEvents(id, source.events);
  };

  // Sends the subscriber's messages as the stream yields them, until it ends.
  const deliverEvents = async (id: string, events: AsyncIterator<SubscriptionEvent>) => {
    try {
      for (let next = await events.next(); !next.done; next = await events.next()) sendData(id, next.value);
    } catch (error) {
      context.onInternalError?.(error, 'realtime data');
    }
  };

  const stop = (id: string) => {
    subscriptions.get(id)?.close();
    send(ServerMessages.complete(id));
  };

  const handle = async (raw: string) => {
    const message = parseClientMessage(raw);
    switch (message.type) {
      case 'connection_init':
        return init();
      case 'start':
        return start(message.id, message.data, message.authorization);
      case 'stop':
        return stop(message.id);
      case 'malformed':
        return send(ServerMessages.error(undefined, [RealtimeErrors.malformedMessage()]));
      case 'unknown':
        return send(ServerMessages.error(message.id, [RealtimeErrors.unsupportedOperation(message.rawType)]));
    }
  };

  let pending = 0;
  socket.on('message', (raw, isBinary) => {
    const text = isBinary ? '' : raw.toString();
    pending += 1;
    if (pending >= maxPendingMessages && !socket.isPaused) socket.pause();
    queue = queue
      .then(() => handle(text))
      .catch((error: unknown) => {
        context.onInternalError?.(error, 'realtime message');
        send(ServerMessages.error(undefined, [internalFailure as RealtimeError]));
      })
      .finally(() => {
        pending -= 1;
        if (pending < maxPendingMessages && socket.isPaused) socket.resume();
      });
  });
  socket.on('close', removeAll);
  socket.on('error', removeAll);

  return () => {
    removeAll();
    socket.close(1001, 'Server shutting down');
  };
}

const startRefusal = (outcome: Exclude<SubscribeOutcome, { ok: true }>): Parameters<typeof ServerMessages.error>[1] => {
  switch (outcome.reason) {
    case 'refused':
      return outcome.errors;
    case 'not-a-subscription':
      return [RealtimeErrors.notASubscription()];
    case 'document-not-kept':
      return [outcome.error];
  }
};

const headersAsStrings = (value: unknown): Record<string, string> => {
  const headers = headersFromObject(value);
  return Object.fromEntries(Object.entries(headers).flatMap(([name, raw]) => (typeof raw === 'string' ? [[name, raw]] : [])));
};
