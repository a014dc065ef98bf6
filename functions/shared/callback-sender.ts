/**
 * Sends one completion callback: POSTs an image's public JSON, signed
 * (callback-signature.ts), to the address the policy checked and pinned
 * (callback-address.ts).
 *
 * Bounded in time, whatever the receiver does:
 * - every attempt has one total deadline covering connect, TLS, request,
 *   status line, headers and body. A receiver that drips one byte every few
 *   seconds is cut off at the deadline (an idle timeout, which Node's
 *   `request({ timeout })` is, would never trip);
 * - at most `maxAttempts` attempts, with exponential backoff and full jitter,
 *   on network errors, deadlines, 429 and 5xx;
 * - so one delivery lasts at most deliveryBudgetMs(): the host lookup, the
 *   attempts and the backoffs (about 21 s with the defaults), well inside the
 *   timeout of every function that sends callbacks.
 * `deliver` never throws: a failure is a DeliveryOutcome, logged, never an
 * error that could fail the run (and so retry the push).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '@aws-lambda-powertools/logger';
import { CallbackSettings } from '../../api/callback.ts';
import { toPublicImage, type Image } from '../../api/types.ts';
import { pinnedLookup, resolveTarget, type ResolvedTarget } from './callback-address.ts';
import { CallbackDeadlineError, CallbackError, CallbackNetworkError, CallbackStatusError } from './callback-errors.ts';
import { callbackSignature } from './callback-signature.ts';

export interface CallbackSenderOptions {
  readonly secret: string;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Allows loopback targets and plain http to them (offline only). @default false */
  readonly allowLoopback?: boolean;
  /** @default CallbackSettings.maxAttempts */
  readonly maxAttempts?: number;
  /** @default CallbackSettings.baseDelayMs */
  readonly baseDelayMs?: number;
  /** Total time one attempt may take, connection to last byte of the answer; also bounds the host lookup. @default CallbackSettings.attemptDeadlineMs */
  readonly attemptDeadlineMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
}

export type DeliveryOutcome =
  | { readonly delivered: true; readonly attempts: number; readonly status: number }
  | { readonly delivered: false; readonly attempts: number; readonly reason: string };

export interface CallbackSender {
  /** POSTs the image to `callbackUrl`: at most maxAttempts attempts, each under its deadline. Never rejects. */
  deliver(callbackUrl: string, image: Image): Promise<DeliveryOutcome>;
}

/** The longest one delivery can take: the lookup, every attempt to its deadline, and the longest backoffs. */
export function deliveryBudgetMs(settings: { maxAttempts: number; attemptDeadlineMs: number; baseDelayMs: number }): number {
  let backoff = 0;
  for (let attempt = 2; attempt <= settings.maxAttempts; attempt += 1) backoff += settings.baseDelayMs * 2 ** (attempt - 2);
  return settings.attemptDeadlineMs * (settings.maxAttempts + 1) + backoff;
}

/** A receiver's answer body is read (and dropped) up to this many bytes; past it the status stands and the connection is closed. */
const maxAnswerBytes = 64 * 1024;

/**
 * One POST to the pinned address. Resolves with the status once the whole
 * answer has arrived; rejects with a CallbackError on a network error, or
 * when the deadline passes first, whatever stage the exchange is at.
 */
function postOnce(target: ResolvedTarget, body: string, headers: Record<string, string>, deadlineMs: number): Promise<number> {
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: { status: number } | { error: CallbackError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.status);
    };
    const request = client.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target.address, target.family),
        // One connection per attempt: nothing of a cut-off exchange is reused.
        agent: false,
        // Redirects are not followed (Node never does), so a 3xx cannot point the callback elsewhere.
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > maxAnswerBytes) {
            settle({ status });
            request.destroy();
          }
        });
        response.on('end', () => settle({ status }));
        // 'close' without 'end': the receiver hung up mid-answer (after 'end' this is a no-op).
        response.on('close', () => settle({ error: new CallbackNetworkError('the connection closed before the answer ended') }));
      },
    );
    // The whole exchange, not each idle gap: a byte every few seconds does not extend it.
    const deadline = setTimeout(() => {
      settle({ error: new CallbackDeadlineError(deadlineMs) });
      request.destroy();
    }, deadlineMs);
    request.on('error', (error) => settle({ error: new CallbackNetworkError(error.message, { cause: error }) }));
    request.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Any failure as a CallbackError: those of this area as they are, anything else as a (retryable) network error. */
const asCallbackError = (error: unknown): CallbackError =>
  error instanceof CallbackError ? error : new CallbackNetworkError(error instanceof Error ? error.message : String(error), { cause: error });

export function callbackSender(options: CallbackSenderOptions): CallbackSender {
  const maxAttempts = options.maxAttempts ?? CallbackSettings.maxAttempts;
  const baseDelayMs = options.baseDelayMs ?? CallbackSettings.baseDelayMs;
  const deadlineMs = options.attemptDeadlineMs ?? CallbackSettings.attemptDeadlineMs;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  /** One signed attempt: the status of a 2xx answer, or the CallbackError that ended it. */
  async function attempt(target: ResolvedTarget, callbackUrl: string, body: string, deliveryId: string): Promise<number> {
    const timestamp = Math.floor(now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'labelcast-callback/2',
      [CallbackSettings.signatureHeader.toLowerCase()]: callbackSignature(options.secret, timestamp, callbackUrl, body),
      [CallbackSettings.deliveryIdHeader.toLowerCase()]: deliveryId,
    };
    const status = await postOnce(target, body, headers, deadlineMs);
    if (status < 200 || status >= 300) throw new CallbackStatusError(status);
    return status;
  }

  return {
    async deliver(callbackUrl, image) {
      const body = JSON.stringify(toPublicImage(image));
      const deliveryId = randomUUID();
      let target: ResolvedTarget;
      try {
        target = await resolveTarget(callbackUrl, options.allowLoopback ?? false, deadlineMs);
      } catch (error) {
        const reason = asCallbackError(error).message;
        options.logger.warn('callback refused', { imageId: image.id, reason });
        return { delivered: false, attempts: 0, reason };
      }
      let attempts = 0;
      let reason = '';
      while (attempts < maxAttempts) {
        if (attempts > 0) await sleep(random() * baseDelayMs * 2 ** (attempts - 1)); // full jitter
        attempts += 1;
        try {
          const status = await attempt(target, callbackUrl, body, deliveryId);
          options.logger.info('callback delivered', { imageId: image.id, attempts, status });
          return { delivered: true, attempts, status };
        } catch (error) {
          const failure = asCallbackError(error);
          reason = failure.message;
          if (!failure.retryable) break;
        }
      }
      options.logger.warn('callback not delivered', { imageId: image.id, attempts, reason });
      return { delivered: false, attempts, reason };
    },
  };
}
