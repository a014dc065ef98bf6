/**
 * Images of exact dimensions and exact byte sizes, made by sharp in the test
 * (no big fixtures in the repository), for Rekognition's limits
 * (RekognitionLimits in api/limits.ts).
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A PNG of `width` × `height` in one flat colour, so it compresses to little. */
export async function plainPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .png()
    .toBuffer();
}

/** A JPEG of `width` × `height`. */
export async function plainJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .jpeg()
    .toBuffer();
}

/** An uncompressed PNG of random pixels: about `width × height × 3` bytes, and large as JPEG too. */
export async function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

const pngChunk = (type: string, data: Buffer): Buffer => {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return chunk;
};

/**
 * `png` grown to exactly `totalBytes` by a private ancillary chunk before
 * IEND, which decoders skip: same picture, the byte size a limit test needs.
 */
export function paddedPng(png: Buffer, totalBytes: number): Buffer {
  const iendLength = 12;
  const padding = totalBytes - png.length - 12;
  if (padding < 0) throw new Error(`the PNG is ${png.length} bytes already; cannot pad it to ${totalBytes}`);
  const body = png.subarray(0, png.length - iendLength);
  const padded = Buffer.concat([body, pngChunk('pdDg', Buffer.alloc(padding)), png.subarray(png.length - iendLength)]);
  if (padded.length !== totalBytes) throw new Error(`padded to ${padded.length}, wanted ${totalBytes}`);
  return padded;
}

/** Width and height as sharp reads them. */
export async function dimensionsOf(image: Uint8Array): Promise<{ width: number; height: number; format: string }> {
  const { width, height, format } = await sharp(image).metadata();
  return { width: width ?? 0, height: height ?? 0, format: format ?? '' };
}
