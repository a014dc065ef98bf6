/**
 * The frames between a vision engine host (one engine worker in a process of its own, tests/support/vision-engine-host.js)
 * and its clients (./engine-connection.ts: the tests' processes and, when LABELCAST_VISION_ENGINE_SOCKET names a host,
 * a stack's local Rekognition), over a local socket: each message v8-serialized (what a worker's postMessage clones:
 * the image bytes, the analyses), after its length as 4 bytes big-endian. Plain JavaScript: the host runs
 * without a loader.
 */
import { Buffer } from 'node:buffer';
import { deserialize, serialize } from 'node:v8';

/** The frame of one message. */
export function frame(message) {
  const body = serialize(message);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/**
 * The largest body a reader takes: above the largest request the tests send (a 15,000,000-byte image with its
 * message, tests/local-rekognition/limits.test.ts). The length is as sent, and the socket is any local user's:
 * without a cap a 4-byte header could make a reader buffer up to 4 GiB.
 */
export const maxFrameBodyBytes = 64 * 1024 * 1024;

/** A frame's length over the reader's cap: the connection is not one of ours. */
export class FrameTooLargeError extends Error {
  constructor(length, maxBytes) {
    super(`a frame of ${length} bytes is over the cap of ${maxBytes}`);
    this.name = 'FrameTooLargeError';
  }
}

/**
 * Calls `onMessage` with each message whole, as the socket's chunks (of any size) arrive: a 'data' listener. A frame's
 * chunks are kept in a list and joined once, when the frame is complete (joining each chunk onto what came before made
 * a 15 MB frame in 64 KiB chunks cost 0.6 CPU-s). Throws FrameTooLargeError for a length over `maxBytes` (the caller
 * ends that connection; the reader is of no further use).
 */
export function frameReader(onMessage, maxBytes = maxFrameBodyBytes) {
  let chunks = [];
  let buffered = 0;
  /** The body length of the frame being read, once its header is in. */
  let bodyLength;
  const joined = () => {
    const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
    chunks = [all];
    return all;
  };
  return (chunk) => {
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (bodyLength === undefined) {
        if (buffered < 4) return;
        // Joins only a header split across chunks, which is short: after a frame, what is left is one chunk.
        const length = (chunks[0].length >= 4 ? chunks[0] : joined()).readUInt32BE(0);
        if (length > maxBytes) throw new FrameTooLargeError(length, maxBytes);
        bodyLength = length;
      }
      if (buffered < 4 + bodyLength) return;
      const all = joined();
      const body = all.subarray(4, 4 + bodyLength);
      const rest = all.subarray(4 + bodyLength);
      chunks = rest.length > 0 ? [rest] : [];
      buffered = rest.length;
      bodyLength = undefined;
      onMessage(deserialize(body));
    }
  };
}
