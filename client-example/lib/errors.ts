/**
 * The errors labelcast's client library (and the gallery on it) raises by
 * itself, with one base class. AppSync's own refusals are not among them:
 * Amplify rejects with `{ errors }` (graphqlErrorLines reads them), and
 * whether one is worth retrying is its errorType's to say.
 *
 * | error                    | retryable | when                                                                   |
 * | ------------------------ | --------- | ---------------------------------------------------------------------- |
 * | SubscriptionTimeoutError | yes       | no subscription ack, or no onImageLabeled event, within the time given |
 * | UploadRefusedError       | 5xx only  | S3 answered the presigned PUT with an error (a 403 for an expired URL will not change) |
 * | UploadNetworkError       | yes       | the PUT got no answer at all                                           |
 * | UnsupportedImageError    | no        | the bytes are no JPEG, PNG or WebP                                     |
 * | UnexpectedAnswerError    | no        | AppSync answered without the image the call is for                     |
 */

/** Base class of every error the client library raises by itself. */
export abstract class LabelcastClientError extends Error {
  /** Whether doing the same call again may succeed. */
  public abstract readonly retryable: boolean;

  protected constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

/** A subscription that was not acknowledged, or an image with no event, in time. */
export class SubscriptionTimeoutError extends LabelcastClientError {
  public readonly retryable = true;

  public constructor(message: string) {
    super('SubscriptionTimeoutError', message);
  }
}

/** S3 refused the presigned PUT; `detail` is its error code or body. */
export class UploadRefusedError extends LabelcastClientError {
  public readonly retryable: boolean;

  public constructor(
    public readonly status: number,
    detail?: string,
  ) {
    super('UploadRefusedError', `upload refused: HTTP ${status}${detail ? ` ${detail}` : ''}`);
    this.retryable = status >= 500;
  }
}

/** The presigned PUT got no answer (no server, refused TLS, offline). */
export class UploadNetworkError extends LabelcastClientError {
  public readonly retryable = true;

  public constructor() {
    super('UploadNetworkError', 'upload failed: network error (no answer from S3)');
  }
}

/** Bytes labelcast does not take: not a JPEG, PNG or WebP. */
export class UnsupportedImageError extends LabelcastClientError {
  public readonly retryable = false;

  public constructor(fileName: string) {
    super('UnsupportedImageError', `${fileName} is not a JPEG, PNG or WebP image`);
  }
}

/** AppSync answered without the image the call is for. */
export class UnexpectedAnswerError extends LabelcastClientError {
  public readonly retryable = false;

  public constructor(message: string) {
    super('UnexpectedAnswerError', message);
  }
}
