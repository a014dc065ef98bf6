/**
 * Per-invocation state of the APPSYNC_JS runtime.
 *
 * esbuild inlines this runtime into every resolver bundle, so each bundle has
 * its own copy of these modules. State therefore lives in one slot on
 * `globalThis` under a registry symbol, shared by every copy. APPSYNC_JS code
 * is synchronous, so the evaluator sets the slot around each request()/
 * response() call and no two invocations can interleave inside it.
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
