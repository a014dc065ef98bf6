/**
 * Reads request bodies with S3's limits: never more than the declared
 * length, never more than the configured maximum, and decodes the
 * `aws-chunked` framing the AWS SDK uses for streamed uploads.
 */
import type { IncomingMessage } from 'node:http';
import { BodyClock, type BodyHold, type BodyPace } from '../http-body.ts';
import { s3Error, type S3Error } from './errors.ts';

export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly error: S3Error };

export interface ReadBodyOptions {
  /** Bytes the client declared (Content-Length); undefined when it sent none. */
  readonly expectedBytes?: number;
  /** Hard cap on bytes read off the wire. */
  readonly maxBytes: number;
  /** How the body must keep arriving (http-body.ts's BodyClock): past a pause, or behind the rate, S3 gives up on the client with RequestTimeout. */
  readonly pace: BodyPace;
  /** Where the bytes are charged as they arrive (the stack's budget); a chunk that does not fit is refused with 503 SlowDown. */
  readonly hold?: BodyHold;
}

/** Buffers the body, stopping as soon as it runs past what was declared or allowed. */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<BodyResult> {
  const limit = Math.min(options.expectedBytes ?? Number.POSITIVE_INFINITY, options.maxBytes);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clock.stop();
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (!result.ok) {
        // What was read is dropped: its bytes go back to the budget now, not when the answer closes.
        options.hold?.release();
        req.pause();
      }
      resolve(result);
    };
    const clock = new BodyClock(options.pace, () =>
      finish({
        ok: false,
        error: s3Error(
          'RequestTimeout',
          'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
        ),
      }),
    );
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        const tooLarge = options.expectedBytes === undefined || options.expectedBytes > options.maxBytes;
        finish({
          ok: false,
          error: tooLarge
            ? s3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', [
                ['ProposedSize', String(received)],
                ['MaxSizeAllowed', String(options.maxBytes)],
              ])
            : s3Error('InvalidRequest', 'The request body is longer than the Content-Length header declared.'),
        });
        return;
      }
      if (options.hold && !options.hold.add(chunk.length)) {
        finish({ ok: false, error: s3Error('SlowDown', 'Please reduce your request rate.') });
        return;
      }
      chunks.push(chunk);
      clock.arrived(chunk.length);
    };
    const onEnd = () => {
      if (options.expectedBytes !== undefined && received < options.expectedBytes) {
        finish({
          ok: false,
          error: s3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header'),
        });
        return;
      }
      finish({ ok: true, body: Buffer.concat(chunks, received) });
    };
    const onError = () =>
      finish({ ok: false, error: s3Error('IncompleteBody', 'The request body could not be read to the end.') });
    const onAborted = onError;
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

export interface AwsChunkedPayload {
  readonly payload: Buffer;
  /** Trailing headers, lower-cased names (e.g. x-amz-checksum-crc32). */
  readonly trailers: Readonly<Record<string, string>>;
}

const crlf = Buffer.from('\r\n');

/**
 * Decodes `aws-chunked` framing: `<hex size>[;chunk-signature=…]\r\n<data>\r\n`
 * repeated, a zero-size chunk, then optional `name:value` trailers.
 */
export function decodeAwsChunked(encoded: Buffer): AwsChunkedPayload | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = encoded.indexOf(crlf, offset);
    if (lineEnd < 0) return undefined;
    const header = encoded.subarray(offset, lineEnd).toString('latin1');
    const sizeText = header.split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return undefined;
    const size = Number.parseInt(sizeText, 16);
    offset = lineEnd + crlf.length;
    if (size === 0) break;
    if (offset + size + crlf.length > encoded.length) return undefined;
    parts.push(encoded.subarray(offset, offset + size));
    offset += size;
    if (!encoded.subarray(offset, offset + crlf.length).equals(crlf)) return undefined;
    offset += crlf.length;
  }
  const trailers: Record<string, string> = {};
  for (const line of encoded.subarray(offset).toString('latin1').split('\r\n')) {
    if (line === '') continue;
    const colonAt = line.indexOf(':');
    if (colonAt <= 0) return undefined;
    trailers[line.slice(0, colonAt).trim().toLowerCase()] = line.slice(colonAt + 1).trim();
  }
  return { payload: Buffer.concat(parts), trailers };
}
