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
