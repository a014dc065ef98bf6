/** The frames between the shared vision engine host and its clients (local/rekognition/engine-frames.js), on their own. */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { frame, frameReader, FrameTooLargeError, maxFrameBodyBytes } from '../../local/rekognition/engine-frames.js';

/** A reader and what it has passed on. */
function collecting(maxBytes?: number) {
  const messages: unknown[] = [];
  return { messages, read: frameReader((message) => messages.push(message), maxBytes) };
}

/** `bytes` cut into pieces of `size` bytes (the last one shorter). */
const pieces = (bytes: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, index) => bytes.subarray(index * size, (index + 1) * size));

describe('Function: frameReader', () => {
  it('passes on a message whose frame comes in pieces of any size, the header split too, once it is whole', () => {
    // Prepare
    const message = { type: 'detect', id: 7, bytes: Buffer.alloc(2_000, 0xab) };
    const bytes = frame(message);
    for (const size of [1, 3, 5, 65_536]) {
      const { messages, read } = collecting();

      // Act
      const cut = pieces(bytes, size);
      for (const piece of cut.slice(0, -1)) read(piece);
      const beforeLast = messages.length;
      read(cut.at(-1)!);

      // Assess
      expect(beforeLast, `pieces of ${size}`).toBe(0);
      expect(messages, `pieces of ${size}`).toEqual([message]);
    }
  });

  it('passes on every message of a chunk that holds several frames and the start of another, in order', () => {
    // Prepare
    const { messages, read } = collecting();
    const third = frame({ type: 'third', text: 'x'.repeat(50) });

    // Act
    read(Buffer.concat([frame({ type: 'first' }), frame({ type: 'second', n: 2 }), third.subarray(0, 10)]));
    const afterFirstChunk = [...messages];
    read(third.subarray(10));

    // Assess
    expect(afterFirstChunk).toEqual([{ type: 'first' }, { type: 'second', n: 2 }]);
    expect(messages).toEqual([{ type: 'first' }, { type: 'second', n: 2 }, { type: 'third', text: 'x'.repeat(50) }]);
  });

  it('throws FrameTooLargeError for a length over the cap, as soon as the header is in, before any body', () => {
    // Prepare
    const { messages, read } = collecting();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(maxFrameBodyBytes + 1);

    // Act
    read(header.subarray(0, 2));
    const act = () => read(header.subarray(2));

    // Assess
    expect(act).toThrow(FrameTooLargeError);
    expect(messages).toEqual([]);
  });

  it('takes a frame of exactly the cap', () => {
    // Prepare
    const message = 'y'.repeat(1000);
    const bytes = frame(message);
    const { messages, read } = collecting(bytes.length - 4);

    // Act
    read(bytes);

    // Assess
    expect(messages).toEqual([message]);
  });
});
