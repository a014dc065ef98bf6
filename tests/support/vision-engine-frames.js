/**
 * The frames between the unit tests' shared vision engine host (./vision-engine-host.js) and its clients
 * (./shared-vision-engine.ts), over a local socket: each message v8-serialized (what a worker's postMessage clones:
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

/** Calls `onMessage` with each message whole, as the socket's chunks (of any size) arrive: a 'data' listener. */
export function frameReader(onMessage) {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) return;
      const body = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      onMessage(deserialize(body));
    }
  };
}
