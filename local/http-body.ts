/** Reads a request body into memory, refusing it as soon as it runs past a limit. */
import type { IncomingMessage } from 'node:http';

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
