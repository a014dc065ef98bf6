/**
 * Per-invocation state of the APPSYNC_JS runtime.
 *
 * The runtime runs inside each resolver's sandbox (sandbox-entry.ts), so the
 * state lives in one slot on the sandbox's `globalThis`; the host sends it in
 * and takes it back as JSON around every handler call (adoptInvocationState).
 * APPSYNC_JS code is synchronous, so no two invocations interleave in a slot.
 */

export interface RecordedError {
  readonly message: string;
  readonly errorType?: string;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
}

export interface InvocationState {
  /** Errors added with util.appendError, in call order. */
  readonly appendedErrors: RecordedError[];
  /** Set by extensions.setSubscriptionFilter (last call wins). */
  subscriptionFilter?: unknown;
  /** Set by extensions.setSubscriptionInvalidationFilter (last call wins). */
  subscriptionInvalidationFilter?: unknown;
  /** Calls to extensions.invalidateSubscriptions. */
  readonly invalidations: unknown[];
  /** Calls to extensions.evictFromApiCache. */
  readonly cacheEvictions: unknown[];
  /** util.http.addResponseHeader(s). */
  readonly responseHeaders: Record<string, unknown>;
  /** What util.authType() answers, e.g. "API Key Authorization". */
  readonly authType: string;
}

const slotKey = Symbol.for('labelcast.appsync.invocation');

type GlobalWithSlot = typeof globalThis & { [slotKey]?: InvocationState };

export function createInvocationState(authType: string): InvocationState {
  return { appendedErrors: [], invalidations: [], cacheEvictions: [], responseHeaders: {}, authType };
}

/** Runs `handler` with `state` as the current invocation; handlers are synchronous. */
export function withInvocation<T>(state: InvocationState, handler: () => T): T {
  const holder = globalThis as GlobalWithSlot;
  const previous = holder[slotKey];
  holder[slotKey] = state;
  try {
    return handler();
  } finally {
    holder[slotKey] = previous;
  }
}

export function currentInvocation(): InvocationState {
  const state = (globalThis as GlobalWithSlot)[slotKey];
  if (!state) throw new Error('APPSYNC_JS utilities can only be used while a resolver handler runs');
  return state;
}

/** Copies what a handler call left in `source` (a JSON copy from the sandbox) into the host's `target`. */
export function adoptInvocationState(target: InvocationState, source: InvocationState): void {
  target.appendedErrors.splice(0, target.appendedErrors.length, ...source.appendedErrors);
  target.invalidations.splice(0, target.invalidations.length, ...source.invalidations);
  target.cacheEvictions.splice(0, target.cacheEvictions.length, ...source.cacheEvictions);
  for (const key of Object.keys(target.responseHeaders)) delete target.responseHeaders[key];
  Object.assign(target.responseHeaders, source.responseHeaders);
  if (source.subscriptionFilter !== undefined) target.subscriptionFilter = source.subscriptionFilter;
  if (source.subscriptionInvalidationFilter !== undefined) target.subscriptionInvalidationFilter = source.subscriptionInvalidationFilter;
}
