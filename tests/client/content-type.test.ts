import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sniffContentType } from '../../client-example/lib/content-type.ts';

describe('Function: sniffContentType', () => {
  it.each([
    ['tests/fixtures/cat.jpg', 'image/jpeg'],
    ['tests/fixtures/cat.png', 'image/png'],
  ])('recognises %s as %s', async (file, type) => {
    expect(sniffContentType(await readFile(file))).toBe(type);
  });

  it('recognises WebP from its RIFF header', () => {
    expect(sniffContentType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
  });

  it.each([['GIF89a'], ['<svg xmlns="http://www.w3.org/2000/svg"/>'], ['']])('refuses %j', (text) => {
    expect(sniffContentType(new TextEncoder().encode(text))).toBeUndefined();
  });
});
