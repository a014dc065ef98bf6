/**
 * A request that declares a body and sends only part of it, then holds the rest back, as a client that
 * streams slowly (or an attacker holding memory) would: for the listeners that must answer it, or refuse it,
 * without reading the body to its end.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HeldAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HeldRequest {
  /** The server's answer, read to its end. */
  readonly answer: Promise<HeldAnswer>;
  /** Settles once the server said `100 Continue`: it has called its request listener (which, in this process, has run up to its first await). */
  readonly continued: Promise<void>;
  /** Settles once the connection is closed, by either side (the client keeps it alive: only the server ends it). */
  readonly closed: Promise<void>;
  /** The agent holding its connection (kept alive, one at most): another request given it goes over the same connection once this one is done. */
  readonly agent: Agent;
  /** Settles once its connection is free for another request (request sent, answer read, connection kept alive). */
  readonly freed: Promise<void>;
  /** Whether it went over a connection an earlier request had used (Node's ClientRequest.reusedSocket), once it was sent. */
  reusedSocket(): boolean;
  /** Sends `bytes` more of the body, without ending it. */
  write(bytes: Buffer): void;
  /** Sends `bytes` more of the body and ends it. */
  finish(bytes: Buffer): void;
  /** Cuts the connection (and lets its agent go). */
  destroy(): void;
}

export interface HeldRequestOptions {
  readonly method?: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /** What Content-Length declares. @default - none: the body is chunked */
  readonly declaredBytes?: number;
  /** What is sent of it at once; the rest waits for finish(). */
  readonly sentBytes: number;
  /** Ask for `100 Continue` and send nothing before it comes. */
  readonly expectContinue?: boolean;
  /** @default - an agent of its own */
  readonly agent?: Agent;
  /** The CA an `https:` endpoint's certificate is checked against (the local stack's). */
  readonly ca?: string;
}

export function heldRequest(endpoint: string, options: HeldRequestOptions): HeldRequest {
  const url = new URL(endpoint);
  const tls = url.protocol === 'https:';
  // Keep-alive, so that a closed connection is the server's doing.
  const agent = options.agent ?? (tls ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: options.ca }) : new Agent({ keepAlive: true, maxSockets: 1 }));
  const length = options.declaredBytes === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(options.declaredBytes) };
  const outgoing = (tls ? httpsRequest : httpRequest)({
    host: url.hostname,
    port: url.port,
    path: options.path,
    method: options.method ?? 'POST',
    agent,
    headers: { ...options.headers, ...length, ...(options.expectContinue ? { expect: '100-continue' } : {}) },
  });
  const continued = new Promise<void>((resolve) => outgoing.once('continue', () => resolve()));
  const freed = new Promise<void>((resolve) => agent.once('free', () => resolve()));
  const closed = new Promise<void>((resolve) => outgoing.once('socket', (socket) => socket.once('close', () => resolve())));
  const answer = new Promise<HeldAnswer>((resolve, reject) => {
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
  });
  // A refusal may end the connection while the rest is still unsent: that is the point, not a failure.
  answer.catch(() => undefined);
  const sendFirst = () => outgoing.write(Buffer.alloc(options.sentBytes, 0x20));
  // Headers go out with the first bytes of the body, in one write, unless there are none to send yet.
  if (options.expectContinue || options.sentBytes === 0) outgoing.flushHeaders();
  if (options.sentBytes > 0) {
    if (options.expectContinue) void continued.then(sendFirst);
    else sendFirst();
  }
  return {
    answer,
    continued,
    closed,
    agent,
    freed,
    reusedSocket: () => outgoing.reusedSocket,
    write: (bytes) => void outgoing.write(bytes),
    finish: (bytes) => outgoing.end(bytes),
    destroy: () => {
      outgoing.destroy();
      agent.destroy();
    },
  };
}

/**
 * Sends the rest of `request`'s body a space every 100 ms, `count` of them, the last with `tail` after it (ending
 * the body); stops early once the connection closes. `done` settles then, or once the body is sent whole.
 */
export function drip(request: Pick<HeldRequest, 'write' | 'finish' | 'closed'>, count: number, tail: Buffer = Buffer.alloc(0)) {
  let sent = 0;
  let stopDripping = () => undefined as void;
  const done = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      sent += 1;
      if (sent < count) request.write(Buffer.from(' '));
      else {
        request.finish(Buffer.concat([Buffer.from(' '), tail]));
        stopDripping();
      }
    }, 100);
    stopDripping = () => {
      clearInterval(timer);
      resolve();
    };
  });
  void request.closed.then(() => stopDripping());
  return { done, sent: () => sent };
}
