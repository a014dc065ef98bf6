/**
 * What an upload really is, from its first bytes. The presigned PUT binds the
 * declared Content-Type, not the bytes: a JPEG may arrive declared image/png
 * (often a file with the wrong extension). The labeler labels and serves it
 * as what it really is: Rekognition's input, the kept original's
 * Content-Type and Image.contentType all follow the bytes. Bytes that are
 * none of the accepted types fail the image.
 */

/** The accepted image types (api/limits.ts UploadLimits.contentTypes) and how their files begin. */
export function imageTypeOf(bytes: Uint8Array): 'image/jpeg' | 'image/png' | 'image/webp' | undefined {
  const starts = (...signature: number[]) => bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Why an upload whose bytes are none of the accepted types fails. */
export const notAnImageReason = (declared: string) =>
  `InvalidImageFormatException: the uploaded bytes are not a JPEG, PNG or WebP image (declared ${declared})`;
