/**
 * The small WebP the gallery shows in its grid: written beside the original
 * under the thumbnails prefix (outside the uploads prefix, so it triggers no
 * labelling), before the image is published as LABELED.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { MediaLayout, thumbnailKeyFor } from '../../api/media.ts';

export interface ThumbnailWriter {
  /** Reads the original, writes its thumbnail; returns the thumbnail's key. */
  write(args: { readonly bucket: string; readonly key: string; readonly imageId: string }): Promise<string>;
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
    .webp({ quality: 70 })
    .toBuffer();
}

export function s3ThumbnailWriter(s3: S3Client): ThumbnailWriter {
  return {
    async write({ bucket, key, imageId }) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!Body) throw new Error(`object ${key} has no body`);
      const thumbnail = await renderThumbnail(await Body.transformToByteArray());
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
