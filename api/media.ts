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

/** A bucket's CORS rule, in the words of S3's CORSRule. */
export interface BucketCorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly ('GET' | 'PUT' | 'HEAD' | 'POST' | 'DELETE')[];
  /** Request headers a preflight may ask for (`*` a wildcard). */
  readonly allowedHeaders: readonly string[];
  /** Response headers a page's script may read. */
  readonly exposedHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/**
 * The bucket's one CORS rule, declared once: infra/upload-bucket.ts deploys it and the local S3 configures it
 * (local/stack.ts, local/s3/s3rver-adapter.ts), so a preflight AWS refuses is refused offline too. Browsers PUT
 * uploads (the gallery's XMLHttpRequest, reading the error body of a refused one) and GET what they may read (the
 * gallery's duplicate check fetches Image.url); no other method.
 */
export const uploadBucketCors: BucketCorsRule = {
  /** Any origin, as the presigned URL is the credential; a deployment may name its own (infra/README.md). */
  allowedOrigins: ['*'],
  allowedMethods: ['PUT', 'GET'],
  // The signed Content-Type and If-None-Match (functions/presign-upload/presign.ts), and those S3 reads itself.
  allowedHeaders: ['content-type', 'content-length', 'content-md5', 'if-none-match', 'x-amz-*'],
  exposedHeaders: ['etag'],
  maxAgeSeconds: 3000,
};
