/**
 * isBase64Text (operations/image-source.ts), the check of Image.Bytes: the
 * same verdict as the API model's /^[A-Za-z0-9+/]*={0,2}$/ on every shape of
 * text, padding and misplaced `=` included.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isBase64Text } from '../../local/rekognition/operations/image-source.ts';

const modelPattern = /^[A-Za-z0-9+/]*={0,2}$/;
const photoLike = randomBytes(3000).toString('base64');

describe('Function: isBase64Text', () => {
  it.each([
    ['empty', ''],
    ['unpadded', 'QUJD'],
    ['three characters', 'abc'],
    ['one =', 'abc='],
    ['two =', 'ab=='],
    ['three =', 'a==='],
    ['= alone', '='],
    ['== alone', '=='],
    ['= inside', 'a=b'],
    ['= inside and at the end', 'ab=c='],
    ['a space', 'a b'],
    ['a newline', 'abc\n'],
    ['URL-safe characters', 'ab-_'],
    ['a non-ASCII letter', 'é'],
    ['a photo', photoLike],
    ['a photo, padded', `${photoLike}==`],
    ['a photo, over-padded', `${photoLike}===`],
    ['a photo with a stray character', `${photoLike.slice(0, 100)}*${photoLike.slice(100)}`],
  ])('judges %s as the model pattern does', (_name, text) => {
    // Act + Assess
    expect(isBase64Text(text)).toBe(modelPattern.test(text));
  });
});
