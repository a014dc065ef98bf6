/** Reads a request body into memory, refusing it as soon as it runs past a limit. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError } from './errors.ts';

/**
 * The whole body of `request`; throws `tooLarge()` once more than `maxBytes`
 * have arrived, without reading the rest.
 */
export async function readBoundedBody(request: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The body of an admin test hook request, or undefined once the request is
 * answered: 413 naming the limit when the body runs past `maxBytes`, the
 * connection dropped when it failed mid-body (nothing is left to answer).
 */
export async function readHookBody(request: IncomingMessage, response: ServerResponse, maxBytes: number): Promise<Buffer | undefined> {
  try {
    return await readBoundedBody(request, maxBytes, () => new BodyTooLargeError(maxBytes));
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      response.writeHead(413, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `the body must be at most ${maxBytes} bytes` }));
    } else {
      response.destroy();
    }
    return undefined;
  }
}

/**
 * The bytes of request bodies buffered at once, shared by every endpoint that
 * buffers one (DynamoDB, Lambda Invoke, Rekognition, S3), so that many held
 * uploads cannot take the stack's memory between them: each request holds its
 * declared length (or its service's limit, when it declares none) from before
 * its body is read until its answer is done, and one that does not fit is
 * refused, unread, with its service's throttling error.
 */
export class BodyBudget {
  #heldBytes = 0;

  public constructor(public readonly capacityBytes: number) {}

  /** Bytes held now by bodies being read or served. */
  public get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Holds `bytes`, released once by the function returned; undefined (nothing held) when they do not fit. */
  public take(bytes: number): (() => void) | undefined {
    if (this.#heldBytes + bytes > this.capacityBytes) return undefined;
    this.#heldBytes += bytes;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#heldBytes -= bytes;
    };
  }
}

/**
 * The stack's budget: 256 MiB. Generous for what the stack is driven with: the
 * bench photos are at most 85 KB (bench/lib/images.ts's variants of
 * tests/fixtures), so `npm run soak`'s 200 concurrent uploads hold ~17 MB and
 * the e2e burst's 40 ~3.4 MB, and what follows each upload (a Lambda event
 * under 1 KB, Rekognition's inline image at most ~115 KB in base64, DynamoDB
 * items of a few KB) adds less again; 256 MiB still takes 17 uploads of the
 * largest object the stack accepts (15 MiB) at once. Past it memory, not the
 * client, is what runs out: the attacker review's 30 held 15 MiB PUTs took the
 * process from 224 to 1089 MiB of RSS.
 */
export const stackBodyBudget = new BodyBudget(256 * 1024 * 1024);

/** The bytes a request's body will hold at most: its Content-Length, capped at `maxBytes` (read no further), or `maxBytes` without one. */
export function bodyBytesToHold(request: IncomingMessage, maxBytes: number): number {
  const declared = request.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared)) return Math.min(Number(declared), maxBytes);
  // Neither a length nor chunked framing: HTTP/1.1 says there is no body.
  return request.headers['transfer-encoding'] === undefined ? 0 : maxBytes;
}

/**
 * Holds the body `request` may send in `budget` until `response` closes (answered, or the client gone); false,
 * nothing held, when it does not fit and the request must be refused before its body is read.
 */
export function holdBody(budget: BodyBudget, request: IncomingMessage, response: ServerResponse, maxBytes: number): boolean {
  const bytes = bodyBytesToHold(request, maxBytes);
  if (bytes === 0) return true;
  const release = budget.take(bytes);
  if (!release) return false;
  response.once('close', release);
  return true;
}

/**
 * Before answering a request whose body was not read (refused on its headers): a body that may be longer than
 * the service would ever read (or has no declared length) ends the connection after the answer; a shorter one
 * is drained, read and dropped as it comes (never buffered), so the client reads the answer instead of a
 * reset and may reuse the connection. Node does not drain it itself: once the answer is sent, a body nobody
 * read stays unread and the client's writes stall until the keep-alive timeout cuts the connection.
 */
export function closeOrDrain(request: IncomingMessage, response: ServerResponse, maxBytes: number): void {
  if (request.complete || response.headersSent) return;
  const declared = request.headers['content-length'];
  const drainable = declared !== undefined && /^\d+$/.test(declared) && Number(declared) <= maxBytes;
  if (drainable) request.resume();
  else response.setHeader('connection', 'close');
}
