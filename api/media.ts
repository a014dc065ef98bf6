/**
 * Where image bytes live in the bucket (the one media-layout module: uploads,
 * kept originals, thumbnails) and how long read links last. Bundled into
 * APPSYNC_JS resolvers too, so keep this file plain data and functions.
 */
export const MediaLayout = {
  /**
   * Where uploads land (the presigned PUT's key); the labeler is triggered on
   * it, and objects under it expire (infra/upload-bucket.ts).
   */
  uploadKeyPrefix: 'uploads/',
  /**
   * The labeler copies each LABELED image's original here from the uploads
   * prefix, which is only a landing zone that expires; these stay until deleteImage.
   */
  originalKeyPrefix: 'images/',
  /** The labeler writes one small WebP per labelled image under this prefix. */
  thumbnailKeyPrefix: 'thumbnails/',
  /** Longest side of a thumbnail, in pixels. */
  thumbnailMaxPixels: 320,
  thumbnailContentType: 'image/webp',
  /** How long an Image.url or Image.thumbnailUrl stays valid. */
  readUrlTtlSeconds: 900,
} as const;

/** S3 key an image's bytes are uploaded to. */
export const uploadKeyFor = (imageId: string) => `${MediaLayout.uploadKeyPrefix}${imageId}`;

/** S3 key of a labelled image's kept original (Image.url). */
export const originalKeyFor = (imageId: string) => `${MediaLayout.originalKeyPrefix}${imageId}`;

/** S3 key of an image's thumbnail. */
export const thumbnailKeyFor = (imageId: string) => `${MediaLayout.thumbnailKeyPrefix}${imageId}.webp`;

/** Prefixes Image.url / Image.thumbnailUrl may presign: kept originals and thumbnails, never the uploads landing zone. */
export const readableKeyPrefixes = [MediaLayout.originalKeyPrefix, MediaLayout.thumbnailKeyPrefix] as const;

/**
 * Request headers a browser may send on the presigned upload PUT (the bucket's
 * CORS AllowedHeaders, on AWS and offline): the signed Content-Type and
 * If-None-Match (functions/presign-upload/presign.ts), and those S3 reads itself.
 */
export const uploadCorsAllowedHeaders = ['content-type', 'content-length', 'content-md5', 'if-none-match', 'x-amz-*'] as const;
