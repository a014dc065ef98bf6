/**
 * Upload limits that requestUpload enforces and the presigned URL binds.
 * Bundled into APPSYNC_JS resolvers too, so keep this file plain data.
 */
export const UploadLimits = {
  /** Content types Rekognition can label. */
  contentTypes: ['image/jpeg', 'image/png', 'image/webp'],
  /** Rekognition's limit for images read from S3: 15 MiB. */
  maxSizeBytes: 15 * 1024 * 1024,
  /** How long a presigned upload URL stays valid. */
  urlTtlSeconds: 300,
  /** Longest file name kept with the image. */
  maxFileNameLength: 255,
  /** S3 key prefix that uploads land under; the labeler is triggered on it. */
  keyPrefix: 'uploads/',
} as const;

/** Paging limits for list queries. */
export const PageLimits = {
  defaultLimit: 20,
  maxLimit: 100,
  maxLabelLength: 100,
} as const;
