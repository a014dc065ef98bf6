/**
 * dynalite sends DynamoDB's `x-amz-crc32` header (the CRC32 of the answer's
 * body, which SDKs may check) with buffer-crc32, a JavaScript loop over the
 * body's bytes: about 5% of a read's CPU for a page of images. Node's
 * zlib.crc32 (native, since Node 20.15) computes the same checksum, strings
 * as their UTF-8 bytes as buffer-crc32 takes them, so dynalite's copy of the
 * module is pointed at it. Only dynalite depends on buffer-crc32 here.
 *
 * @example
 * checksumAnswersNatively(); // before dynalite answers its first request
 */
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';

/** What dynalite calls of buffer-crc32 (index.js: `crc32.unsigned(body)`). */
interface BufferCrc32 {
  unsigned: ((data: string | Buffer) => number) & { native?: true };
}

/** zlib.crc32, where this Node has it. */
export const nativeCrc32 = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;

const requireDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));

/** Has dynalite's buffer-crc32 answer with zlib.crc32; nothing changes on a Node without it. */
export function checksumAnswersNatively(): void {
  const crc32 = requireDynalite('buffer-crc32') as BufferCrc32;
  if (nativeCrc32 === undefined || crc32.unsigned.native) return;
  const native = nativeCrc32;
  crc32.unsigned = Object.assign((data: string | Buffer) => native(data), { native: true as const });
}
