/**
 * The completion callback: an optional `callbackUrl` on requestUpload that
 * receives the public Image JSON, HMAC-signed, once the image is LABELED or
 * FAILED, after its push and its search entries (functions/shared/callback.ts).
 * Bundled into APPSYNC_JS resolvers too, so keep this file plain data.
 */
export const CallbackSettings = {
  /** Longest callbackUrl accepted. */
  maxUrlLength: 2048,
  /** AppSync environment variable (`ctx.env`) that tells requestUpload which URLs it may accept. */
  urlPolicyVariable: 'CALLBACK_URL_POLICY',
  /** Lambda environment variable holding the deployment's HMAC key. */
  secretVariable: 'CALLBACK_SECRET',
  /**
   * Lambda environment variable that, set to `1`, lets callbacks reach loopback
   * addresses over http. Only the offline stack sets it: on AWS it is unset and
   * every private, loopback and link-local target is refused.
   */
  allowLoopbackVariable: 'LABELCAST_ALLOW_LOOPBACK_CALLBACKS',
  /** `t=<unix seconds>,v2=<hex HMAC-SHA256 of "<t>.<callbackUrl>.<body>">` (functions/shared/callback-signature.ts). */
  signatureHeader: 'X-Labelcast-Signature',
  /** The same id on every attempt of one delivery, so receivers can drop repeats. */
  deliveryIdHeader: 'X-Labelcast-Delivery',
  /** Attempts per delivery, with exponential backoff and full jitter between them. */
  maxAttempts: 3,
  /** Backoff before the second attempt; doubled for each further one. */
  baseDelayMs: 250,
  /**
   * Total deadline of one attempt: connection, request, status, headers and
   * body together (not an idle timeout). Also bounds the host lookup. With 3
   * attempts and the backoffs, a delivery lasts at most ~21 s, well inside
   * the 60 s timeout of the labeler and labeling-failed.
   */
  attemptDeadlineMs: 5000,
  /**
   * Lambda environment variable that lowers attemptDeadlineMs (milliseconds,
   * 100 to attemptDeadlineMs; anything else is ignored with a warning), so
   * offline tests of a slow receiver stay short. Unset on AWS.
   */
  attemptDeadlineVariable: 'CALLBACK_ATTEMPT_DEADLINE_MS',
  /** Lowest attempt deadline the variable may set. */
  minAttemptDeadlineMs: 100,
} as const;

/** Values of the `CALLBACK_URL_POLICY` AppSync environment variable. */
export const CallbackUrlPolicy = {
  /** AWS: https URLs only (the default when the variable is unset). */
  HTTPS_ONLY: 'HTTPS_ONLY',
  /** Offline: https, or http to 127.0.0.1 so a test can receive the callback. */
  HTTPS_OR_LOOPBACK_HTTP: 'HTTPS_OR_LOOPBACK_HTTP',
} as const;
export type CallbackUrlPolicy = (typeof CallbackUrlPolicy)[keyof typeof CallbackUrlPolicy];
