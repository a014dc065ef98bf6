/**
 * A JPEG with different bytes but the same picture: a COM (comment) segment
 * right after SOI. Lets a test upload content no other test has uploaded,
 * since all e2e files share one stack and its content-hash results.
 */
import { randomUUID } from 'node:crypto';

export function jpegVariant(jpeg: Uint8Array, comment: string = randomUUID()): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  const text = Buffer.from(comment, 'latin1');
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(2 + text.length, 2);
  text.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}
