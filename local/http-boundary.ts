/**
 * The error boundary every local listener sits behind, so that no single
 * request can end the stack's process (one process serves AppSync, S3,
 * DynamoDB, Rekognition, Lambda, Cognito and the gallery):
 * - `guardRequests` wraps a request listener: whatever it throws, at once or
 *   later, is logged here and the client gets the service's own 500 (no stack,
 *   no internals), or a cut connection when the answer had already started.
 *   It also tracks each response until it is over (`response-over.ts`), and
 *   closes a connection that pipelines more than `maxRequestsInFlight`
 *   requests not yet answered.
 * - `guardUpgrades` does the same for an `upgrade` listener and gives the raw
 *   socket the `error` handler Node leaves to the listener (without one a
 *   client's reset mid-upgrade is an uncaught exception).
 * - `guardServer` answers requests Node's parser refuses (malformed request
 *   line or headers, headers too large, too slow) with a bare 4xx and closes
 *   the connection, quietly drops failed TLS handshakes, instead of logging
 *   or crashing on them, and caps the connections a listener keeps open.
 * - `requestPathname` reads a request target's path without throwing: Node
 *   passes any target through (`//[`, `%ff`), and `new URL` or
 *   `decodeURIComponent` throw on many of them.
 *
 * @example
 * const server = createServer(guardRequests(handle, { service: 'lambda', internalError: (_, response) => sendServiceError(response) }));
 * guardServer(server);
 */
import type { IncomingMessage, RequestListener, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { trackResponse } from './response-over.ts';

/** Where unexpected failures go; stderr unless a service says otherwise. */
export type InternalErrorLog = (error: unknown, where: string) => void;

export interface BoundaryOptions {
  /** Names the service in logs, e.g. `local-s3`. */
  readonly service: string;
  /** Writes the service's 500 in its own error shape; headers are known not to be sent yet. */
  readonly internalError: (request: IncomingMessage, response: ServerResponse) => void;
  /** @default console.error with the service's name */
  readonly log?: InternalErrorLog;
  /**
   * Requests of one connection that may be in flight together (pipelined, not answered yet); one more closes the
   * connection, unanswered. @default defaultMaxRequestsInFlight
   */
  readonly maxRequestsInFlight?: number;
}

/**
 * 32 pipelined requests a connection. No client of the stack pipelines: browsers, the AWS SDKs (Node's http
 * Agent), aws-amplify and undici's fetch all send one request on a connection at a time, so a real client has one
 * in flight (it read the last answer before it asked again, so that answer was sent). The few that
 * pipeline (undici's `pipelining` option, old proxies) do so a handful deep. Without a cap, one write of
 * thousands of requests has each served at once, whatever it costs (the local AppSync ran 2,000 of them in one
 * write: 8.5 CPU-s), and each answer is queued in memory until the client reads it, which it need never do.
 * HTTP/1.1 lets a server close a connection at any time, and a client that pipelines should retry the requests
 * left unanswered (RFC 9112, 9.3.2).
 */
export const defaultMaxRequestsInFlight = 32;

const defaultLog =
  (service: string): InternalErrorLog =>
  (error, where) =>
    console.error(`[${service}] ${where}:`, error);

/** The request as a log line names it; the target is cut, since a fuzzer's can be megabytes. */
const describeRequest = (request: IncomingMessage) => `${request.method} ${JSON.stringify((request.url ?? '').slice(0, 200))}`;

/**
 * A failure after which nothing can be answered: the client went away
 * (reset, aborted body, a write to a closed socket), or the answer's socket
 * is gone. Asked of the response, not the request: once a body read past its
 * limit destroys the request, Node sets `request.socket` to null (whatever
 * its type says) while the answer can still be written, and reading
 * `.destroyed` off it threw in every handler's error path and ended the
 * whole stack.
 */
export const clientWentAway = (response: ServerResponse, error: unknown): boolean => {
  const socket = response.socket as ServerResponse['socket'] | null;
  // A finished answer has no socket either: a failure after it is the handler's own, and is logged.
  const gone = socket ? socket.destroyed : !response.writableFinished;
  const code = (error as { code?: string } | null)?.code;
  // A reset before the answer started is the client's too; EPIPE counts only once the answer was being written
  // to the socket, since before it the error is from another socket, one the handler itself opened.
  return gone || code === 'ECONNRESET' || (code === 'EPIPE' && response.headersSent);
};

/** Runs `handler` behind the boundary: a throw or a rejection becomes the service's 500, logged here. */
export function guardRequests(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
  options: BoundaryOptions,
): RequestListener {
  const log = options.log ?? defaultLog(options.service);
  const fail = (request: IncomingMessage, response: ServerResponse, error: unknown) => {
    if (clientWentAway(response, error)) return;
    log(error, describeRequest(request));
    try {
      if (!response.headersSent) options.internalError(request, response);
      else response.destroy();
    } catch (sendError) {
      // The error shape itself failed (it should not): cut the connection rather than leave it hanging.
      log(sendError, `${describeRequest(request)} (sending the 500)`);
      response.destroy();
    }
  };
  const maxInFlight = options.maxRequestsInFlight ?? defaultMaxRequestsInFlight;
  return (request, response) => {
    // Its connection closed before the request was served: Node parses a pipelined batch at once and dispatches
    // every request of it, those after the cap closed the connection included. No one is left to answer.
    if (request.socket.destroyed) return;
    if (trackResponse(request, response) > maxInFlight) {
      request.socket.destroy();
      return;
    }
    try {
      const result = handler(request, response);
      if (result instanceof Promise) result.catch((error: unknown) => fail(request, response, error));
    } catch (error) {
      fail(request, response, error);
    }
  };
}

/**
 * A bare HTTP/1.1 answer written on a raw socket, then the socket is closed: destroyed once the answer is
 * flushed, not only ended. end() alone is a half-close (the servers allow half-open sockets, as Node's HTTP server
 * does): the stack kept each such socket's descriptor (FIN-WAIT-2) until its client closed too, which a silent or
 * hostile one never does (300 refused connections held 300 descriptors for minutes). Node's own answer to a
 * parser error writes and destroys as well. `body`: an answer that carries one (its Content-Type and any other
 * headers given with it, such as a refused WebSocket upgrade's request error); none: an empty answer.
 */
export function endRawSocket(socket: Duplex, status: number, reason: string, body?: RawAnswerBody): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = body?.text ?? '';
  const headers = Object.entries({ ...(body ? { 'Content-Type': body.contentType } : {}), ...body?.headers, 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${text}`, () => socket.destroy());
}

/**
 * A request's source address (IAM's aws:SourceIp, the rate limit's key). Node leaves it undefined once the socket
 * has closed; the stack listens on 127.0.0.1 alone, so that is the address such a request came from. One fallback
 * for all: the rate limit and the auth of one request must not see two addresses.
 */
export const sourceAddress = (request: Pick<IncomingMessage, 'socket'>): string => request.socket.remoteAddress ?? '127.0.0.1';

/** A raw answer's body and the headers that describe it (endRawSocket). */
export interface RawAnswerBody {
  readonly contentType: string;
  readonly text: string;
  /** Further headers (names as sent; Content-Length and Connection are endRawSocket's). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Runs an `upgrade` listener behind the boundary; a throw answers 500 on the raw socket. */
export function guardUpgrades(
  listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void,
  options: Pick<BoundaryOptions, 'service' | 'log'>,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const log = options.log ?? defaultLog(options.service);
  return (request, socket, head) => {
    // Node hands the socket over without an error listener; a reset must not be an uncaught exception.
    socket.on('error', () => socket.destroy());
    try {
      listener(request, socket, head);
    } catch (error) {
      log(error, `upgrade ${describeRequest(request)}`);
      endRawSocket(socket, 500, 'Internal Server Error');
    }
  };
}

/**
 * Stops a guarded server and ends every socket it accepted: in-flight requests, idle keep-alive connections, and
 * connections that carry no request. server.close() waits for those, and closeAllConnections() does not reach an
 * HTTPS connection whose TLS handshake is unfinished: a browser holds such a connection open beside a page's own
 * (Chromium did, to the gallery) and drops it about a minute later, which held a stack's stop for that minute.
 * Resolves once the server has closed, or at once when it was not listening (closed already).
 */
export function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error?: NodeJS.ErrnoException) => (error && error.code !== 'ERR_SERVER_NOT_RUNNING' ? reject(error) : resolve()));
    for (const socket of openSockets.get(server) ?? []) socket.destroy();
  });
}

/** What Node's own default `clientError` answers for each parser failure; anything else is a 400. */
const clientErrorStatus: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
};

/** The sockets each guarded server accepted and that are still open: closeServer ends them. */
const openSockets = new WeakMap<HttpServer | HttpsServer, Set<Duplex>>();

/**
 * Connections each listener keeps open at once; past it Node closes a new one as it is accepted. 2,500 is five
 * times the most any client of the stack opens to one listener (the soak's and the fan-out bench's 500 WebSocket
 * subscribers on AppSync; the soak's 200 concurrent uploads on S3), and the stack's six listeners at the cap
 * (15,000) stay below the process's usual descriptor limit (`ulimit -n`, 20,000 here), leaving room for its
 * files, pipes and function processes. Without a cap a flood of connections runs the process out of
 * descriptors, and every listener stops accepting with it.
 */
export const defaultMaxConnections = 2_500;

export interface GuardServerOptions {
  /** @default defaultMaxConnections */
  readonly maxConnections?: number;
}

/**
 * Answers what Node's HTTP parser refuses with a bare 4xx and closes the
 * connection; a failed TLS handshake is dropped. Neither is logged: both are
 * the client's doing and a scanner would flood the log. Caps the connections
 * open at once (defaultMaxConnections), and keeps the server's open sockets,
 * for closeServer.
 */
export function guardServer(server: HttpServer | HttpsServer, options: GuardServerOptions = {}): void {
  server.maxConnections = options.maxConnections ?? defaultMaxConnections;
  const sockets = new Set<Duplex>();
  openSockets.set(server, sockets);
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason] = clientErrorStatus[error.code ?? ''] ?? [400, 'Bad Request'];
    endRawSocket(socket, status, reason);
  });
  server.on('tlsClientError', (_error: Error, socket: Duplex) => socket.destroy());
}

/**
 * The path of a request target (still percent-encoded), or undefined unless
 * the target is a plain path: one leading slash. That refuses `*`, absolute
 * URLs and `//…`, which `new URL(target, base)` reads as a host (and throws
 * on, for `//[`); so once this says yes, such a call cannot throw.
 */
export function requestPathname(request: Pick<IncomingMessage, 'url'>): string | undefined {
  const target = request.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://local').pathname;
  } catch {
    return undefined;
  }
}

/** `decodeURIComponent` that says undefined instead of throwing on malformed escapes (`%ff`, `%`). */
export function decodePathname(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}
