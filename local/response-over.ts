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
 * own 'close' ends those still open. Only a response something waits on gets a listener: the boundary's
 * bookkeeping for the rest is a Set entry, dropped once the response is sent.
 *
 * @example
 * onResponseOver(response, () => stream.destroy());
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The responses of each connection the boundary saw that may not be sent yet, in the order of their requests.
 * Sent ones are dropped lazily, as the connection's next request arrives: no listener a response for this.
 */
const openByConnection = new WeakMap<Duplex, Set<ServerResponse>>();
/** What to run when a response is over, for responses something waits on; the entry is deleted then. */
const whenOver = new WeakMap<ServerResponse, (() => void)[]>();

const isSent = (response: ServerResponse) => response.writableFinished || response.closed;

function over(response: ServerResponse): void {
  const callbacks = whenOver.get(response);
  if (!callbacks) return;
  whenOver.delete(response);
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
 * Returns how many responses of the request's connection are not sent now, this one included: more than one are
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
      for (const response of responses) over(response);
      responses.clear();
    });
  }
  // Keep-alive requests one after another find the last one sent (its client read it before asking again).
  for (const earlier of open) if (isSent(earlier)) open.delete(earlier);
  open.add(response);
  return open.size;
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
  // The socket that writes it, or, while it waits its turn, its request's (null once Node let go of either).
  const connection = (response.socket ?? response.req.socket) as Duplex | null;
  if (isSent(response) || !connection || connection.destroyed) {
    callback();
    return;
  }
  whenOver.set(response, [callback]);
  // Node emits 'close' on every response its socket took, the tick after 'finish' when it was sent, or when the
  // socket closed first; a response still queued hears of its connection's close from trackResponse's listener.
  response.once('close', () => over(response));
}
