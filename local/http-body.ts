/** Reads a request body into memory, refusing it as soon as it runs past a limit. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError } from './errors.ts';
import { onResponseOver } from './response-over.ts';

/**
 * The whole body of `request`; throws `tooLarge()` once more than `maxBytes`
 * have arrived, without reading the rest. A body that pauses, or arrives too
 * slowly (BodyClock: `pace`), destroys the request (its connection dropped)
 * and throws a BodyGoneError.
 */
export async function readBoundedBody(request: IncomingMessage, maxBytes: number, tooLarge: () => Error, pace: BodyPace = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  const clock = new BodyClock(pace, (error) => request.destroy(error));
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxBytes) throw tooLarge();
      chunks.push(chunk);
      clock.arrived(chunk.length);
    }
  } finally {
    clock.stop();
  }
  return Buffer.concat(chunks);
}

/**
 * The body of an admin test hook request, or undefined once the request is
 * answered: 413 naming the limit when the body runs past `maxBytes`, the
 * connection dropped when it failed mid-body (nothing is left to answer).
 */
export async function readHookBody(request: IncomingMessage, response: ServerResponse, maxBytes: number): Promise<Buffer | undefined> {
  try {
    return await readBoundedBody(request, maxBytes, () => new BodyTooLargeError(maxBytes));
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      response.writeHead(413, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `the body must be at most ${maxBytes} bytes` }));
    } else {
      response.destroy();
    }
    return undefined;
  }
}

/**
 * The bytes of request bodies buffered at once, shared by every endpoint that
 * buffers one (AppSync, DynamoDB, Lambda Invoke, Rekognition, S3), so that many held
 * uploads cannot take the stack's memory between them. A body is charged for
 * the bytes that have arrived, as they arrive (readHeldBody, s3/body.ts), not
 * for what its headers declare: a request that sends only headers holds
 * nothing, whatever its Content-Length. A body that does not fit is refused
 * with its service's throttling error.
 */
export class BodyBudget {
  #heldBytes = 0;

  public constructor(public readonly capacityBytes: number) {}

  /** Bytes held now by bodies being read or served. */
  public get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Whether `bytes` more would fit now (nothing is held). */
  public fits(bytes: number): boolean {
    return this.#heldBytes + bytes <= this.capacityBytes;
  }

  /** Holds `bytes`, to be given back with release(); false (nothing held) when they do not fit. */
  public take(bytes: number): boolean {
    if (!this.fits(bytes)) return false;
    this.#heldBytes += bytes;
    return true;
  }

  public release(bytes: number): void {
    this.#heldBytes -= bytes;
  }

  /**
   * Whether more than half the budget is held: then a body behind the minimum rate is dropped (BodyClock). Below
   * it, the half left still takes 8 uploads of the largest object (15 MiB) of clients that keep any pace, so a
   * slow body harms no one and is left to its idle timeout, as S3 does; past it, the slow bodies are the ones
   * that go, before the budget runs out for everyone.
   */
  public get underPressure(): boolean {
    return this.#heldBytes > this.capacityBytes / 2;
  }
}

/**
 * The stack's budget: 256 MiB. Generous for what the stack is driven with: the
 * bench photos are at most 85 KB (bench/lib/images.ts's variants of
 * tests/fixtures), so `npm run soak`'s 200 concurrent uploads hold ~17 MB and
 * the e2e burst's 40 ~3.4 MB, and what follows each upload (a Lambda event
 * under 1 KB, Rekognition's inline image at most ~115 KB in base64, DynamoDB
 * items of a few KB) adds less again; 256 MiB still takes 17 uploads of the
 * largest object the stack accepts (15 MiB) at once. Past it memory, not the
 * client, is what runs out: the attacker review's 30 held 15 MiB PUTs took the
 * process from 224 to 1089 MiB of RSS.
 */
export const stackBodyBudget = new BodyBudget(256 * 1024 * 1024);

/**
 * How long a body may pause between two chunks before the request is dropped and its bytes released, as S3's
 * RequestTimeout after 20 s (s3/body.ts). Node's own requestTimeout (300 s for the whole request) is too long
 * for a stalled body to keep its bytes held.
 */
export const bodyIdleTimeoutMs = 20_000;

/**
 * The slowest average a body may arrive at while the budget it is charged to is under pressure (BodyClock,
 * BodyBudget.underPressure): 128 KiB/s, about 1 Mbit/s. S3 documents no rate, only its idle RequestTimeout, so a
 * slow body is never refused for its pace alone: on a budget less than half held, any pace that never pauses 20 s
 * is read to the end (a 15 MiB upload at 0.8 Mbit/s, four at once over a 2 Mbit/s uplink), within Node's own
 * requestTimeout (300 s: a 15 MiB upload under ~0.42 Mbit/s is cut by it). The price: while the budget is less
 * than half held, a small body trickled without a 20 s pause keeps its connection until that requestTimeout, which
 * a listener's connection cap (http-boundary.ts) does not notice; the stack listens on 127.0.0.1 only. A pause alone is not
 * enough once the budget is contended: the attacker review's bodies, 15.5 MiB sent at once and then a byte every
 * 15 s, never paused 20 s and held most of the budget until Node's requestTimeout (300 s). Each body may take the
 * idle timeout plus one second per 128 KiB it has sent: a body that sent 15.5 MiB at once is behind at ~144 s, and
 * dropped then if the budget is still more than half held (16 of them hold 248 MiB of the 256), instead of at 300 s.
 * A slower limit holds bytes longer (the hold of a stalled body grows as its size over this rate); a faster one
 * drops slower links sooner when the budget is contended.
 */
export const bodyMinBytesPerSecond = 128 * 1024;

/** How a body must keep arriving (BodyClock). */
export interface BodyPace {
  /** Longest pause between two chunks (or before the first). @default bodyIdleTimeoutMs */
  readonly idleTimeoutMs?: number;
  /** Slowest average, from the start of the read, past a grace of idleTimeoutMs. @default bodyMinBytesPerSecond */
  readonly minBytesPerSecond?: number;
  /** The budget the body is charged to: the rate applies only while it is under pressure. @default none: the rate always applies */
  readonly budget?: BodyBudget;
}

/**
 * Times one body's arrival: calls `expire` (once) with a BodyGoneError when the body has paused longer than
 * `idleTimeoutMs`, or has fallen behind `minBytesPerSecond` on average while `budget` is under pressure (or, with
 * no budget, at all). Behind means that, counted from the start, more time has passed than idleTimeoutMs plus one
 * second per minBytesPerSecond bytes arrived. This is checked when the body falls behind and at each chunk after,
 * so a body behind the rate is dropped at most idleTimeoutMs after the budget comes under pressure (it must send a
 * chunk by then, or is dropped as idle). A body that keeps to the rate is never cut, whatever its size.
 */
export class BodyClock {
  readonly #idleTimeoutMs: number;
  readonly #minBytesPerSecond: number;
  readonly #budget: BodyBudget | undefined;
  readonly #startedAt = performance.now();
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  public constructor(
    pace: BodyPace,
    private readonly expire: (error: BodyGoneError) => void,
  ) {
    this.#idleTimeoutMs = pace.idleTimeoutMs ?? bodyIdleTimeoutMs;
    this.#minBytesPerSecond = pace.minBytesPerSecond ?? bodyMinBytesPerSecond;
    this.#budget = pace.budget;
    // A zero or NaN here would make every deadline NaN, which setTimeout runs at once: every body dropped.
    if (!(this.#idleTimeoutMs > 0) || !(this.#minBytesPerSecond > 0)) {
      throw new RangeError(`a body's idle timeout and minimum rate must be positive, got ${this.#idleTimeoutMs} ms and ${this.#minBytesPerSecond} bytes a second`);
    }
    this.#arm();
  }

  /** `bytes` more have arrived. */
  public arrived(bytes: number): void {
    this.#bytes += bytes;
    this.#arm();
  }

  /** The body is read (or given up): no more timing. */
  public stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    const now = performance.now();
    const idleDeadline = now + this.#idleTimeoutMs;
    const rateDeadline = this.#startedAt + this.#idleTimeoutMs + (this.#bytes * 1000) / this.#minBytesPerSecond;
    if (rateDeadline >= idleDeadline) {
      this.#timer = setTimeout(() => this.#expireIdle(), idleDeadline - now);
      return;
    }
    // Behind the rate by rateDeadline: dropped then if the budget is under pressure, else left to its idle deadline
    // (and checked again at its next chunk). The drop is never synchronous: arrived() runs inside a data handler.
    this.#timer = setTimeout(
      () => {
        if (this.#rateApplies()) this.#expireNow(`the request body arrived slower than ${this.#minBytesPerSecond} bytes a second`);
        else this.#timer = setTimeout(() => this.#expireIdle(), Math.max(0, idleDeadline - performance.now()));
      },
      Math.max(0, rateDeadline - now),
    );
  }

  #rateApplies(): boolean {
    return this.#budget === undefined || this.#budget.underPressure;
  }

  #expireIdle(): void {
    this.#expireNow(`the request body paused for more than ${this.#idleTimeoutMs} ms`);
  }

  #expireNow(message: string): void {
    this.stop();
    this.expire(new BodyGoneError(message));
  }
}

/** The length a request's Content-Length declares, or undefined when it declares none (chunked) or not a plain number. */
export function declaredLength(request: IncomingMessage): number | undefined {
  const declared = request.headers['content-length'];
  return declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
}

/**
 * Whether the body `request` declares (its Content-Length, capped at `maxBytes`, past which it is never read)
 * fits in what `budget` has left now: if not, the request is refused unread, without reading it only to be
 * refused halfway. Nothing is held: the bytes are charged as they arrive. A body of no declared length
 * (chunked) is checked only as it arrives.
 */
export function declaredBodyFits(budget: BodyBudget, request: IncomingMessage, maxBytes: number): boolean {
  const declared = declaredLength(request);
  return declared === undefined || budget.fits(Math.min(declared, maxBytes));
}

/**
 * The bytes of one request's body held in a budget: charged chunk by chunk as they arrive, all released at
 * once when the request ends, however it ends: its answer sent, or its connection gone (aborted, errored,
 * dropped by a timeout), a pipelined answer still queued behind others included, which Node never tells of
 * (`onResponseOver`, `response-over.ts`), or as soon as the read fails. Made for a response not closed yet: on
 * one already closed or answered, nothing can be held (add() is false).
 */
export class BodyHold {
  #bytes = 0;
  #open: boolean;

  public constructor(
    private readonly budget: BodyBudget,
    response: ServerResponse,
  ) {
    this.#open = !response.closed && !response.writableEnded;
    if (this.#open) onResponseOver(response, () => this.release());
  }

  /** Charges `bytes` more; false, nothing charged, when they do not fit (or the hold is released). */
  public add(bytes: number): boolean {
    if (!this.#open || !this.budget.take(bytes)) return false;
    this.#bytes += bytes;
    return true;
  }

  /** Gives back everything held; later add()s fail. Idempotent. */
  public release(): void {
    if (!this.#open) return;
    this.#open = false;
    this.budget.release(this.#bytes);
    this.#bytes = 0;
  }
}

/** The body read stopped because its client is gone, or was dropped for pausing too long or arriving too slowly (BodyClock): there is no one left to answer. */
export class BodyGoneError extends Error {
  public readonly code = 'ECONNRESET';

  public constructor(message: string) {
    super(message);
    this.name = 'BodyGoneError';
  }
}

/** The request-body settings every service that buffers bodies takes (AppSync, DynamoDB, Lambda Invoke, Rekognition, S3). */
export interface RequestBodyOptions {
  /** Bytes of request bodies buffered at once, shared with the stack's other services. @default stackBodyBudget */
  readonly bodyBudget?: BodyBudget;
  /**
   * Longest pause in a request body before its bytes are released and the connection dropped (S3 answers
   * RequestTimeout first). @default bodyIdleTimeoutMs (20 s)
   */
  readonly bodyIdleTimeoutMs?: number;
  /**
   * Slowest average rate of a request body while the body budget is more than half held, past which it is dropped
   * as a pause is (BodyClock); unread bodies drained after a refusal keep to it always. @default bodyMinBytesPerSecond (128 KiB/s)
   */
  readonly bodyMinBytesPerSecond?: number;
}

/** The BodyPace of a service's RequestBodyOptions, without its budget (readHeldBody times its body against the one it charges). */
export const bodyPaceOf = (options: RequestBodyOptions): BodyPace => ({
  idleTimeoutMs: options.bodyIdleTimeoutMs,
  minBytesPerSecond: options.bodyMinBytesPerSecond,
});

export interface HeldBodyOptions extends BodyPace {
  /** Read no further: past this many bytes, `tooLarge()`. */
  readonly maxBytes: number;
  readonly tooLarge: () => Error;
  /** Where the bytes are charged as they arrive; when the next chunk does not fit, `overBudget()`. The minimum rate applies while it is under pressure. */
  readonly budget: BodyBudget;
  readonly overBudget: () => Error;
}

/**
 * The whole body of `request`, its bytes charged to `options.budget` as they arrive and held until `response`
 * closes. Rejects with `tooLarge()` or `overBudget()` (the bytes read so far released at once, the rest left
 * unread, the request paused: the caller answers, closeOrDrain), or with a BodyGoneError when the client went
 * away, paused longer than the idle timeout or fell behind the minimum rate while `options.budget` is under
 * pressure (BodyClock): then the connection is destroyed (the JSON services' models have
 * no timeout error for a slow body; dropping the connection is what an AWS front end does to an idle one, and
 * the SDKs retry it as a network error).
 */
export function readHeldBody(request: IncomingMessage, response: ServerResponse, options: HeldBodyOptions): Promise<Buffer> {
  const hold = new BodyHold(options.budget, response);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const settle = (error?: Error) => {
      clock.stop();
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onClose);
      if (error === undefined) {
        resolve(Buffer.concat(chunks, length));
        return;
      }
      hold.release();
      request.pause();
      reject(error);
    };
    const clock = new BodyClock(options, (error) => {
      settle(error);
      response.destroy();
    });
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > options.maxBytes) return settle(options.tooLarge());
      if (!hold.add(chunk.length)) return settle(response.closed ? new BodyGoneError('the client went away') : options.overBudget());
      chunks.push(chunk);
      clock.arrived(chunk.length);
    };
    const onEnd = () => settle();
    const onGone = () => settle(new BodyGoneError('the client went away before its request body ended'));
    const onClose = () => {
      if (!request.complete) onGone();
    };
    if (response.closed || response.writableEnded) return settle(new BodyGoneError('the request is already answered, or its client gone'));
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onClose);
  });
}

/**
 * Before answering a request whose body was not read (refused on its headers): a body that may be longer than
 * the service would ever read (or has no declared length) ends the connection after the answer; a shorter one
 * is drained, read and dropped as it comes (never buffered), so the client reads the answer instead of a
 * reset and may reuse the connection. Node does not drain it itself: once the answer is sent, a body nobody
 * read stays unread and the client's writes stall until the keep-alive timeout cuts the connection.
 *
 * A drain is timed (BodyClock, `pace`'s idle timeout and minimum rate, the rate always, whatever the budget: a
 * drained body holds no budget, but its connection is held, and the request is refused anyway, so nothing AWS
 * would accept is cut): past it the connection is destroyed. Else a client refused on its headers (no credential)
 * that trickles its body keeps the connection until Node's requestTimeout (300 s), the cheapest way to fill a
 * listener's connection cap (http-boundary.ts). A drain of 1 MiB (AppSync) then ends within ~28 s at the
 * defaults, one of 16 MiB (DynamoDB) within ~148 s.
 */
export function closeOrDrain(request: IncomingMessage, response: ServerResponse, maxBytes: number, pace: BodyPace = {}): void {
  // A request already gone (its client aborted: S3's IncompleteBody) has nothing to drain; a clock on it would never stop.
  if (request.complete || request.destroyed || response.headersSent) return;
  const declared = declaredLength(request);
  if (declared === undefined || declared > maxBytes) {
    response.setHeader('connection', 'close');
    return;
  }
  const clock = new BodyClock({ idleTimeoutMs: pace.idleTimeoutMs, minBytesPerSecond: pace.minBytesPerSecond }, () => request.destroy());
  const stop = () => {
    clock.stop();
    request.off('data', onData).off('end', stop).off('close', stop);
  };
  const onData = (chunk: Buffer) => clock.arrived(chunk.length);
  request.on('data', onData).on('end', stop).on('close', stop);
  request.resume();
}
