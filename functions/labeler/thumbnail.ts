/**
 * The small WebP the gallery shows in its grid: written beside the original
 * under the thumbnails prefix (outside the uploads prefix, so it triggers no
 * labelling), before the image is published as LABELED.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { MediaLayout, thumbnailKeyFor } from '../../api/media.ts';

export interface ThumbnailWriter {
  /** Writes the thumbnail of the original's bytes; returns the thumbnail's key. */
  write(args: { readonly bucket: string; readonly imageId: string; readonly original: Uint8Array }): Promise<string>;
}

/**
 * Larger sources get no thumbnail: it is made beside detection, before
 * Rekognition has refused decompression bombs, and decoding one would
 * exhaust the function's memory (~3 bytes a pixel).
 */
const maxThumbnailSourcePixels = 60_000_000;

/** Fits the image inside the thumbnail square, upright (EXIF orientation applied), never enlarged. */
export async function renderThumbnail(original: Uint8Array): Promise<Buffer> {
  const size = MediaLayout.thumbnailMaxPixels;
  return sharp(original, { failOn: 'error', limitInputPixels: maxThumbnailSourcePixels })
    .rotate()
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    // A low encoding effort: the thumbnail is made beside the engine, on the same cores.
    .webp({ quality: 70, effort: 2 })
    .toBuffer();
}

export function s3ThumbnailWriter(s3: S3Client): ThumbnailWriter {
  return {
    async write({ bucket, imageId, original }) {
      const thumbnail = await renderThumbnail(original);
      const thumbnailKey = thumbnailKeyFor(imageId);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: thumbnailKey,
          Body: thumbnail,
          ContentType: MediaLayout.thumbnailContentType,
          CacheControl: 'private, max-age=86400, immutable',
        }),
      );
      return thumbnailKey;
    },
  };
}
