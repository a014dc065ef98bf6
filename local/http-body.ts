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
