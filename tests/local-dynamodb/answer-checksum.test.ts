/**
 * dynalite's answers are checksummed with Node's zlib.crc32
 * (local/dynamodb/answer-checksum.ts): the same x-amz-crc32 as buffer-crc32
 * gives, for ASCII, multi-byte text and bytes.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checksumAnswersNatively, nativeCrc32 } from '../../local/dynamodb/answer-checksum.ts';

const requireDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const bufferCrc32 = requireDynalite('buffer-crc32') as { unsigned: (data: string | Buffer) => number };
/** buffer-crc32's own answer, whatever dynalite's copy now points at. */
const javascriptCrc32 = (data: string | Buffer) => (bufferCrc32 as unknown as (data: string | Buffer, previous?: Buffer) => Buffer)(data).readUInt32BE(0);

const samples: (string | Buffer)[] = [
  '',
  '{"Items":[],"Count":0,"ScannedCount":0}',
  '{"Item":{"fileName":{"S":"café – 写真 🐈.jpg"}}}',
  'x'.repeat(100_000),
  Buffer.from([0, 255, 128, 7, 64]),
];

describe('Function: checksumAnswersNatively', () => {
  it('gives every sample the checksum buffer-crc32 gives it', () => {
    // Act
    checksumAnswersNatively();

    // Assess
    expect(nativeCrc32).toBeTypeOf('function');
    for (const sample of samples) expect(bufferCrc32.unsigned(sample)).toBe(javascriptCrc32(sample));
    // A known value: CRC-32 of "123456789".
    expect(bufferCrc32.unsigned('123456789')).toBe(0xcbf43926);
  });

  it('points dynalite’s copy of buffer-crc32 at zlib.crc32, once', () => {
    checksumAnswersNatively();
    const installed = bufferCrc32.unsigned;
    checksumAnswersNatively();
    expect(bufferCrc32.unsigned).toBe(installed);
    expect((installed as { native?: true }).native).toBe(true);
  });
});
