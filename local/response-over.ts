/**
 * When a server response is over: sent, or never to be sent because its connection closed first.
 *
 * Node tells of the second only for the response its socket is writing ('close'). A pipelined request queued
 * behind others gets a response with no socket yet; when the client goes away, Node destroys the request and
 * drops the response without a 'finish' or a 'close' (Node 20's `_http_server.js`, `abortIncoming`). Whatever
 * a handler opened or holds for such a response (a file stream s3rver hands Koa as the body, a body's bytes in
 * the stack's budget) waits for an event that never comes: the attacker review's 300 pipelined GETs on one
 * socket, closed unread, left 227 file descriptors open for good, and enough sockets took the process to its fd
 * limit. So the boundary (`guardRequests`) tracks every response by its connection here, and the connection's
 * own 'close' ends those still open.
 *
 * @example
 * onResponseOver(response, () => stream.destroy());
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Responses of each connection that are not over yet (answered, perhaps, but still queued behind others). */
const openByConnection = new WeakMap<Duplex, Set<ServerResponse>>();
/** What to run when a tracked response is over; the entry is deleted then. */
const whenOver = new WeakMap<ServerResponse, (() => void)[]>();
/** Responses trackResponse saw, over or not: an untracked one (a server without the boundary) falls back on its own events. */
const tracked = new WeakSet<ServerResponse>();

function over(response: ServerResponse, open: Set<ServerResponse>): void {
  const callbacks = whenOver.get(response);
  if (!callbacks) return;
  whenOver.delete(response);
  open.delete(response);
  for (const callback of callbacks) {
    // A throw here would be in a socket's 'close' listener: an uncaught exception that ends the whole stack.
    try {
      callback();
    } catch (error) {
      console.error('[http] releasing what a response held failed:', error);
    }
  }
}

/**
 * Tracks `response` until it is over: sent (handed to its socket), closed, or its connection closed.
 * Returns how many responses of the request's connection are open now, this one included: more than one are
 * pipelined requests not answered yet. Call it once, as the request arrives (its socket is set then).
 */
export function trackResponse(request: IncomingMessage, response: ServerResponse): number {
  const socket = request.socket;
  let open = openByConnection.get(socket);
  if (!open) {
    const responses = new Set<ServerResponse>();
    open = responses;
    openByConnection.set(socket, responses);
    // One listener a connection, not one a request: a pipelined batch would pile hundreds on the socket.
    socket.once('close', () => {
      for (const response of responses) over(response, responses);
    });
  }
  const responses = open;
  tracked.add(response);
  whenOver.set(response, []);
  responses.add(response);
  // Node emits 'close' on every response its socket took, the tick after 'finish' when it was sent: before the
  // connection's next request can arrive, so keep-alive requests one after another are never open together.
  response.on('close', () => over(response, responses));
  return responses.size;
}

/**
 * Runs `callback` once `response` is over (sent, or its connection gone before it could be), at once when it is
 * already. For releasing what was opened or held for one response.
 */
export function onResponseOver(response: ServerResponse, callback: () => void): void {
  const callbacks = whenOver.get(response);
  if (callbacks) {
    callbacks.push(callback);
    return;
  }
  if (tracked.has(response) || response.closed || response.writableFinished) {
    callback();
    return;
  }
  // Not behind the boundary: Node's own events, which a queued pipelined response never gets.
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    callback();
  };
  response.once('finish', once).once('close', once);
}
