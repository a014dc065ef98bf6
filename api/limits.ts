/**
 * Upload limits that requestUpload enforces and the presigned URL binds.
 * Bundled into APPSYNC_JS resolvers too, so keep this file plain data.
 */
export const UploadLimits = {
  /** Content types Rekognition can label. */
  contentTypes: ['image/jpeg', 'image/png', 'image/webp'],
  /**
   * Largest upload: 15 MiB, a little over Rekognition's 15 MB for an S3 object
   * (RekognitionLimits); the labeler sends such an image as resized JPEG bytes.
   */
  maxSizeBytes: 15 * 1024 * 1024,
  /** How long a presigned upload URL stays valid. */
  urlTtlSeconds: 300,
  /** Longest file name kept with the image. */
  maxFileNameLength: 255,
} as const;

/**
 * Amazon Rekognition's fixed limits for DetectLabels and DetectModerationLabels
 * ("Guidelines and quotas in Amazon Rekognition", Set quotas): 80–10,000 px a
 * side, 15 MB from S3, 5 MB as Image.Bytes, JPEG or PNG. AWS writes the sizes in
 * decimal MB, so they are decimal here. The local Rekognition refuses what these
 * refuse; the labeler sends Rekognition only what they admit.
 */
export const RekognitionLimits = {
  /** Shortest side Rekognition analyses, in pixels (under it: InvalidParameterException). */
  minSidePx: 80,
  /** Longest side, in pixels, for width and height alike (over it: ImageTooLargeException). */
  maxSidePx: 10000,
  /** Largest image read from an S3 object: 15 MB. */
  maxS3ObjectBytes: 15000000,
  /** Largest image sent as Image.Bytes: 5 MB. */
  maxImageBytes: 5000000,
  /**
   * Image.Bytes' length constraint in Rekognition's API model (5,242,880): past
   * it the request fails validation before the image is looked at.
   */
  maxImageBytesModeled: 5242880,
  /** What Rekognition decodes. */
  contentTypes: ['image/jpeg', 'image/png'],
} as const;

/** Paging limits for list queries. */
export const PageLimits = {
  defaultLimit: 20,
  maxLimit: 100,
  maxLabelLength: 100,
} as const;

/**
 * GraphQL execution limits, per deployment stage. AppSync's API settings
 * (`queryDepthLimit` 1–75, `resolverCountLimit` 1–10000, `introspectionConfig`),
 * set by infra/ and enforced by the local AppSync server.
 */
export const ApiLimits = {
  dev: {
    /** Deepest legitimate query: imagesByLabel › items › labels › instances › boundingBox › left = 6. */
    queryDepthLimit: 8,
    /** A full page (100 images) with Image.url and Image.thumbnailUrl is 1 + 2 × 100 resolver invocations. */
    resolverCountLimit: 250,
    /** Tools (codegen, explorers) need the schema while developing. */
    introspection: true,
  },
  prod: {
    queryDepthLimit: 8,
    resolverCountLimit: 250,
    /** The contract is published as schema.graphql; production serves no introspection (and offline, no field suggestions in validation errors). */
    introspection: false,
  },
} as const;
export type ApiStage = keyof typeof ApiLimits;

/**
 * AppSync's "Request execution time" quota: a query or mutation has 30 seconds, a hard limit
 * (AWS AppSync endpoints and quotas). Past it AppSync answers the fields not resolved yet with
 * errorType ExecutionTimeout, "Execution timed out."; a Lambda it invoked keeps running. The
 * local AppSync keeps the same deadline; Lambda data sources time out before it (api/manifest.ts).
 */
export const appSyncRequestTimeoutSeconds = 30;
