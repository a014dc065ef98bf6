/**
 * The realtime endpoint: takes WebSocket upgrades on `<graphqlPath>/realtime`
 * of the HTTPS server (where aws-amplify looks for it on custom domains),
 * verifies the connection's auth header and serves each socket.
 */
import type { Server as HttpsServer } from 'node:https';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { endRawSocket, guardUpgrades, requestPathname, sourceAddress } from '../../http-boundary.ts';
import { authenticate, headersFromObject, type AuthResult } from '../server/auth.ts';
import { RequestErrors, requestErrorBody, type RequestError } from '../server/errors.ts';
import { rateLimitedRequest } from '../server/rate-limit.ts';
import { serveConnection, type ConnectionContext } from './connection.ts';
import { connectionAuthHeader, connectionPayload, realtimeSubprotocol } from './protocol.ts';

export interface RealtimeEndpoint {
  /** Ends every socket (close code 1001) and stops taking upgrades. */
  close(): Promise<void>;
  readonly connectionCount: number;
}

/** Answers an upgrade with a request error in AppSync's shape (a WAF block), on the raw socket, and closes it. */
function refuseUpgrade(socket: Duplex, error: RequestError): void {
  endRawSocket(socket, error.status, STATUS_CODES[error.status] ?? 'Error', {
    contentType: 'application/json; charset=UTF-8',
    text: JSON.stringify(requestErrorBody(error)),
    headers: { 'x-amzn-ErrorType': error.errorType },
  });
}

/** AppSync caps a realtime message at 240 KB; allow the same inbound. */
const maxMessageBytes = 240 * 1024;

export function attachRealtime(server: HttpsServer, realtimePath: string, context: ConnectionContext): RealtimeEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    // Choose graphql-ws when offered; the `header-…` entry only carries auth.
    handleProtocols: (protocols) => (protocols.has(realtimeSubprotocol) ? realtimeSubprotocol : false),
  });
  const endings = new Set<() => void>();

  const connectionAuth = (request: IncomingMessage): Promise<AuthResult> => {
    const header = connectionAuthHeader(request);
    if (!header) return Promise.resolve({ ok: false, error: RequestErrors.unauthorized() });
    return authenticate(
      {
        method: 'POST',
        url: `${context.graphqlPath}/connect`,
        headers: headersFromObject(header),
        body: connectionPayload(request),
        sourceIp: sourceAddress(request),
      },
      context.auth,
    );
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The connect is the one HTTP request of a realtime connection: counted, and refused when blocked, before the
    // handshake. That WAF sees it is our reading, not documented: AWS's AppSync WAF page speaks of "HTTP traffic
    // accepted by your API", and on AWS the realtime endpoint is a host of its own (appsync-realtime-api); we take
    // the reading that limits more. The messages on the socket after (start, stop) are not HTTP requests: WAF sees none.
    if (context.rateLimiter && !context.rateLimiter.admit(sourceAddress(request), rateLimitedRequest(request))) {
      refuseUpgrade(socket, RequestErrors.wafBlocked());
      return;
    }
    // Any target, `//[` included, is a 404 here unless it is the realtime path.
    if (requestPathname(request) !== realtimePath) {
      endRawSocket(socket, 404, 'Not Found');
      return;
    }
    // Started before the handshake completes, awaited at connection_init; a throw is a refusal, not a crash.
    const auth = Promise.resolve(request).then(connectionAuth).catch((error: unknown): AuthResult => {
      context.onInternalError?.(error, 'realtime connection auth');
      return { ok: false, error: RequestErrors.internal() };
    });
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      // The handshake is done: from here a failure ends this socket, never the server.
      ws.on('error', () => ws.terminate());
      try {
        const end = serveConnection(ws, { connectionAuth: auth, sourceIp: sourceAddress(request) }, context);
        endings.add(end);
        ws.on('close', () => endings.delete(end));
      } catch (error) {
        context.onInternalError?.(error, 'realtime connection');
        ws.terminate();
      }
    });
  };
  const guardedUpgrade = guardUpgrades(onUpgrade, { service: 'local appsync realtime', log: context.onInternalError });
  server.on('upgrade', guardedUpgrade);

  return {
    get connectionCount() {
      return wss.clients.size;
    },
    async close() {
      server.off('upgrade', guardedUpgrade);
      for (const end of [...endings]) end();
      // Sockets that do not finish the closing handshake promptly are cut.
      const clients = [...wss.clients];
      await Promise.race([
        Promise.all(clients.map((client) => new Promise<void>((resolve) => (client.readyState === client.CLOSED ? resolve() : client.once('close', () => resolve()))))),
        new Promise<void>((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
