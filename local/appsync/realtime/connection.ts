/**
 * One realtime WebSocket: connection_init → connection_ack and keep-alives,
 * start → auth, validation and the subscription resolver → start_ack (or
 * error), stop → complete. Connection auth is checked once at connection_init;
 * each start carries its own auth, which may use a different mode.
 *
 * AppSync's realtime limits apply: at most 100 subscriptions per connection
 * (the 101st start gets MaxSubscriptionsReachedError), data messages whose
 * payload is over 240 kB are dropped and logged, not sent, and a socket that
 * sends neither connection_init nor a start within a window is closed.
 */
import { getArgumentValues, getVariableValues, Kind, type FieldNode } from 'graphql';
import type { WebSocket } from 'ws';
import type { ResolverRuntime } from '../resolvers/index.ts';
import { authenticate, headersFromObject, type AuthResult, type AuthSettings } from '../server/auth.ts';
import { fieldError, internalFailure, variableError } from '../server/errors.ts';
import { fragmentsOf, graphQLRequestBody, parseOperation, unauthorizedFieldError } from '../server/execute.ts';
import { documentLimitError, hidesSuggestions } from '../server/limits.ts';
import type { ServedSchema } from '../server/schema.ts';
import { selectionSetInfo } from '../server/selection-set.ts';
import { wiringOf } from '../server/wiring.ts';
import { parseClientMessage, RealtimeErrors, RealtimeLimits, ServerMessages, type RealtimeError } from './protocol.ts';
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

/** WebSocket close code for a socket that never initialised: the GraphQL-over-WebSocket convention (4408), as AWS documents none. */
export const connectionInitTimeoutCloseCode = 4408;

/** A realtime limit applied to what the server would send; reported to the server log, never to the client. */
export class RealtimeLimitError extends Error {
  override readonly name = 'RealtimeLimitError';
}

export interface ConnectionContext {
  readonly served: ServedSchema;
  readonly runtime: ResolverRuntime;
  readonly registry: SubscriptionRegistry;
  readonly auth: AuthSettings;
  readonly timings: RealtimeTimings;
  /** The GraphQL endpoint's path; IAM requests are signed against it (+ `/connect`). */
  readonly graphqlPath: string;
  readonly onInternalError?: (error: unknown, where: string) => void;
}

export interface ConnectionInfo {
  /** Verified at upgrade: the connection's own auth. */
  readonly connectionAuth: Promise<AuthResult>;
  readonly sourceIp: string;
}

/** Serves one socket until it closes; returns a function that ends it. */
export function serveConnection(socket: WebSocket, connection: ConnectionInfo, context: ConnectionContext): () => void {
  const subscriptions = new Map<string, LiveSubscription>();
  let initialised = false;
  let keepAlive: NodeJS.Timeout | undefined;
  // Messages are handled one at a time, in order, as they arrived.
  let queue = Promise.resolve();

  const send = (message: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
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
  const initialising = () => {
    if (initTimer) clearTimeout(initTimer);
    initTimer = undefined;
  };

  const removeAll = () => {
    initialising();
    for (const subscription of subscriptions.values()) context.registry.remove(subscription);
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
    if (initialised) return;
    initialised = true;
    send(ServerMessages.connectionAck(context.timings.connectionTimeoutMs));
    send(ServerMessages.keepAlive());
    keepAlive = setInterval(() => send(ServerMessages.keepAlive()), context.timings.keepAliveIntervalMs);
    keepAlive.unref();
  };

  const startError = (id: string, errors: Parameters<typeof ServerMessages.error>[1]) => send(ServerMessages.error(id, errors));

  const start = async (id: string, data: string, authorization: unknown) => {
    // Counted before anything else: past the quota, nothing of the start is looked at.
    if (!subscriptions.has(id) && subscriptions.size >= RealtimeLimits.subscriptionsPerConnection) {
      return send(ServerMessages.maxSubscriptionsReached(id, RealtimeLimits.subscriptionsPerConnection));
    }
    if (!initialised) {
      // connection_init is optional: the connection's auth still has to hold.
      const auth = await connection.connectionAuth;
      if (!auth.ok) return startError(id, [RealtimeErrors.unauthorized()]);
    }
    const auth = await authenticate(
      { method: 'POST', url: context.graphqlPath, headers: headersFromObject(authorization), body: data, sourceIp: connection.sourceIp },
      context.auth,
    );
    if (!auth.ok) return startError(id, [{ errorType: auth.error.errorType, message: auth.error.message, errorCode: auth.error.status }]);
    const caller = auth.caller;

    let request: unknown;
    try {
      request = JSON.parse(data);
    } catch {
      return startError(id, [RealtimeErrors.unparsablePayload()]);
    }
    const body = graphQLRequestBody(request);
    if (!body) return startError(id, [RealtimeErrors.unparsablePayload()]);
    const parsed = parseOperation(context.served, body.query, body.operationName);
    if (!parsed.ok) return startError(id, parsed.errors);
    const { document, operation } = parsed;
    if (operation.operation !== 'subscription') return startError(id, [RealtimeErrors.notASubscription()]);
    const fragments = fragmentsOf(document);
    const refused = documentLimitError(operation, fragments, context.served.limits);
    if (refused) return startError(id, [refused]);

    const schema = context.served.schema;
    const subscriptionType = schema.getSubscriptionType();
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables, {
      hideSuggestions: hidesSuggestions(context.served.limits),
    });
    if (variables.errors) return startError(id, variables.errors.map(variableError));
    const fieldNode = operation.selectionSet.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD);
    const field = fieldNode && subscriptionType?.getFields()[fieldNode.name.value];
    if (!fieldNode || !field || !subscriptionType) return startError(id, [RealtimeErrors.notASubscription()]);

    if (!context.served.modesFor(subscriptionType.name, field.name).includes(caller.mode)) {
      const error = fieldError(unauthorizedFieldError(field.name, subscriptionType.name));
      return startError(id, [{ ...error, path: [fieldNode.alias?.value ?? field.name] }]);
    }

    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, fieldNode, variables.coerced);
    } catch (error) {
      return startError(id, [{ errorType: 'ValidationError', message: error instanceof Error ? error.message : String(error) }]);
    }

    let filter: unknown;
    let invalidationFilter: unknown;
    const wiring = wiringOf(subscriptionType.name, field.name);
    if (wiring) {
      try {
        const result = await context.runtime.resolveField({
          wiring,
          arguments: args,
          source: null,
          identity: caller.identity as Record<string, unknown> | null,
          info: {
            fieldName: field.name,
            parentTypeName: subscriptionType.name,
            variables: body.variables,
            ...selectionSetInfo(fieldNode, fragments),
          },
          request: { headers: headersAsStrings(authorization), domainName: null },
        });
        if (result.errors.length > 0) {
          return startError(
            id,
            result.errors.map((error) => ({
              path: [fieldNode.alias?.value ?? field.name],
              data: error.data ?? null,
              errorType: error.errorType ?? null,
              errorInfo: error.errorInfo ?? null,
              locations: [],
              message: error.message,
            })),
          );
        }
        filter = result.subscriptionFilter;
        invalidationFilter = result.subscriptionInvalidationFilter;
      } catch (error) {
        context.onInternalError?.(error, `${subscriptionType.name}.${field.name}`);
        return startError(id, [internalFailure]);
      }
    }

    const previous = subscriptions.get(id);
    if (previous) context.registry.remove(previous);
    const subscription: LiveSubscription = {
      id,
      fieldName: field.name,
      arguments: args,
      filter,
      invalidationFilter,
      document,
      operationName: body.operationName,
      variables: body.variables,
      caller,
      send: (payload) => sendData(id, payload),
      end: () => {
        context.registry.remove(subscription);
        if (subscriptions.get(id) === subscription) subscriptions.delete(id);
        send(ServerMessages.complete(id));
      },
    };
    if (socket.readyState !== socket.OPEN) return;
    subscriptions.set(id, subscription);
    context.registry.add(subscription);
    send(ServerMessages.startAck(id));
  };

  const stop = (id: string) => {
    const subscription = subscriptions.get(id);
    if (subscription) {
      context.registry.remove(subscription);
      subscriptions.delete(id);
    }
    send(ServerMessages.complete(id));
  };

  const handle = async (raw: string) => {
    const message = parseClientMessage(raw);
    switch (message.type) {
      case 'connection_init':
        initialising();
        return init();
      case 'start':
        initialising();
        return start(message.id, message.data, message.authorization);
      case 'stop':
        return stop(message.id);
      case 'malformed':
        return send(ServerMessages.error(undefined, [RealtimeErrors.malformedMessage()]));
      case 'unknown':
        return send(ServerMessages.error(message.id, [RealtimeErrors.unsupportedOperation(message.rawType)]));
    }
  };

  socket.on('message', (raw, isBinary) => {
    const text = isBinary ? '' : raw.toString();
    queue = queue
      .then(() => handle(text))
      .catch((error: unknown) => {
        context.onInternalError?.(error, 'realtime message');
        send(ServerMessages.error(undefined, [internalFailure as RealtimeError]));
      });
  });
  socket.on('close', removeAll);
  socket.on('error', removeAll);

  return () => {
    removeAll();
    socket.close(1001, 'Server shutting down');
  };
}

const headersAsStrings = (value: unknown): Record<string, string> => {
  const headers = headersFromObject(value);
  return Object.fromEntries(Object.entries(headers).flatMap(([name, raw]) => (typeof raw === 'string' ? [[name, raw]] : [])));
};
