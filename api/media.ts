/**
 * Where image bytes live in the bucket and how long read links last. Bundled
 * into APPSYNC_JS resolvers too, so keep this file plain data and functions.
 */
import { UploadLimits } from './limits.ts';

export const MediaLayout = {
  /** The labeler writes one small WebP per labelled image under this prefix. */
  thumbnailKeyPrefix: 'thumbnails/',
  /** Longest side of a thumbnail, in pixels. */
  thumbnailMaxPixels: 320,
  thumbnailContentType: 'image/webp',
  /** How long an Image.url or Image.thumbnailUrl stays valid. */
  readUrlTtlSeconds: 900,
} as const;

/** S3 key of an image's thumbnail. */
export const thumbnailKeyFor = (imageId: string) => `${MediaLayout.thumbnailKeyPrefix}${imageId}.webp`;

/** Prefixes Image.url / Image.thumbnailUrl may presign: originals and thumbnails, nothing else. */
export const readableKeyPrefixes = [UploadLimits.keyPrefix, MediaLayout.thumbnailKeyPrefix] as const;
