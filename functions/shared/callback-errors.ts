/**
 * Errors of the completion-callback area (functions/shared/callback*.ts).
 *
 * Each says whether another attempt of the same delivery may succeed
 * (`retryable`). None of them ever leaves the callback area: the sender turns
 * them into a DeliveryOutcome, so a callback can never fail the function run
 * that pushed the image (and so can never cause a second push).
 *
 * | error                     | retryable | when                                                  |
 * | ------------------------- | --------- | ----------------------------------------------------- |
 * | CallbackRefusedError      | no        | the URL or an address it resolves to is not allowed   |
 * | CallbackDeadlineError     | yes       | an attempt (connect, headers, body) outlived its deadline |
 * | CallbackNetworkError      | yes       | the connection failed or closed before the answer ended |
 * | CallbackStatusError       | 429, 5xx  | the receiver answered with a non-2xx status           |
 */
import { LabelcastError } from './errors.ts';

/** Base class: every failure of a callback delivery. `retryable`: whether another attempt of the same delivery may succeed. */
export abstract class CallbackError extends LabelcastError {}

/** The callbackUrl, or an address its host resolves to, is not one callbacks may reach. Never retried. */
export class CallbackRefusedError extends CallbackError {
  public readonly retryable = false;

  public constructor(message: string, options?: ErrorOptions) {
    super('CallbackRefusedError', message, options);
  }
}

/** One attempt took longer than its total deadline: connection, headers and body together. */
export class CallbackDeadlineError extends CallbackError {
  public readonly retryable = true;

  public constructor(public readonly deadlineMs: number) {
    super('CallbackDeadlineError', `no complete answer within ${deadlineMs} ms`);
  }
}

/** The connection failed, or closed before the answer was complete. */
export class CallbackNetworkError extends CallbackError {
  public readonly retryable = true;

  public constructor(message: string, options?: ErrorOptions) {
    super('CallbackNetworkError', message, options);
  }
}

/** The receiver answered, with a status other than 2xx. Retried on 429 and 5xx only. */
export class CallbackStatusError extends CallbackError {
  public readonly retryable: boolean;

  public constructor(public readonly status: number) {
    super('CallbackStatusError', `HTTP ${status}`);
    this.retryable = status === 429 || status >= 500;
  }
}
