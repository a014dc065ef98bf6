/**
 * The API's rate-based rule offline (api/rate-limit.ts): the local AppSync asks `admit` with a request's source
 * address and what its scope-down reads (method, two headers) before it does any work for the request (no body read, no auth), and answers
 * a refusal as AppSync answers a WAF block (`wafBlocked`).
 *
 * Counting, as WAF counts: every request the rule evaluates counts, the ones it blocks too (WAF limits while an
 * address's request rate is over the limit, our reading: an address that keeps sending stays blocked), except those
 * the scope-down leaves out (SigV4-signed ones, api/rate-limit.ts), which are neither counted nor blocked. A request
 * is refused when the address's count over the trailing window, this request included, is over the limit. WAF
 * estimates the rate and may start and stop limiting late (usually under 30 s: "Rate-based rule caveats"); offline
 * it is exact to the second: a request counts from the second it arrives in for `windowSeconds` whole seconds.
 *
 * Bounded: each address keeps one counter a second of the window (4 bytes each) and the table holds at most
 * `maxAddresses` addresses, fewer for long windows, so that it never holds more than about `budgetBytes`. A
 * new address past that evicts the one seen least recently (WAF too limits at most 10,000 addresses a rule).
 * Each request costs O(1) amortised: a Map lookup and re-insertion, and clearing the seconds passed since the
 * address was last seen (at most the window's, each cleared once).
 */
import { WafRateLimits, rateLimitCounts, type ApiRateLimitRule, type RateLimitedRequest } from '../../../api/rate-limit.ts';
import type { IncomingMessage } from 'node:http';
import type { RequestError } from './errors.ts';

/** What the rule's scope-down reads, from a request. */
export const rateLimitedRequest = ({ method, headers }: Pick<IncomingMessage, 'method' | 'headers'>): RateLimitedRequest => ({
  method: method ?? '',
  header: (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  },
});

/**
 * What AppSync answers a request its web ACL blocks: HTTP 403 with `WAFForbiddenException`, "403 Forbidden", in its
 * request-error shape. AWS's guides say only that WAF answers a block with 403 Forbidden; this body is the one
 * AppSync clients report receiving (and handle) for a WAF block, so the local AppSync sends the same.
 */
export const wafBlocked = (): RequestError => ({ status: 403, errorType: 'WAFForbiddenException', message: '403 Forbidden' });

export interface RateLimiterOptions {
  /** The time in ms (Date.now's scale); tests move it. @default Date.now */
  readonly now?: () => number;
  /** About how many bytes the counters may hold in all. @default 4 MiB */
  readonly budgetBytes?: number;
}

export interface RateLimiter {
  readonly rule: ApiRateLimitRule;
  /** Counts the request when the rule does and says whether it may go on; false: answer wafBlocked(). */
  admit(sourceIp: string, request: RateLimitedRequest): boolean;
  /** Addresses with counters now (for tests and the docs' bound). */
  readonly trackedAddresses: number;
  /** The most addresses it holds at once. */
  readonly maxAddresses: number;
}

/** One address: a counter per second of the window (a ring), their total, and the last second counted. */
interface AddressCounts {
  readonly perSecond: Uint32Array;
  total: number;
  lastSecond: number;
}

/** What one address costs beyond its counters: the Map entry, the object, the typed array's header, the key. */
const addressOverheadBytes = 256;
export const defaultRateLimitBudgetBytes = 4 * 1024 * 1024;

export function createRateLimiter(rule: ApiRateLimitRule, options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const window = rule.windowSeconds;
  const maxAddresses = Math.max(
    1,
    Math.min(WafRateLimits.maxLimitedAddresses, Math.floor((options.budgetBytes ?? defaultRateLimitBudgetBytes) / (window * 4 + addressOverheadBytes))),
  );
  // Insertion order is recency: each request re-inserts its address, so the first key is the one seen least recently.
  const addresses = new Map<string, AddressCounts>();

  /** Clears the seconds after `counts.lastSecond` up to `second`: requests that have left the window. */
  const advance = (counts: AddressCounts, second: number) => {
    const passed = Math.min(second - counts.lastSecond, window);
    for (let step = 1; step <= passed; step++) {
      const slot = (counts.lastSecond + step) % window;
      counts.total -= counts.perSecond[slot] ?? 0;
      counts.perSecond[slot] = 0;
    }
    if (second > counts.lastSecond) counts.lastSecond = second;
  };

  return {
    rule,
    maxAddresses,
    get trackedAddresses() {
      return addresses.size;
    },
    admit(sourceIp, request) {
      if (!rateLimitCounts(request)) return true;
      const second = Math.floor(now() / 1000);
      let counts = addresses.get(sourceIp);
      if (counts) {
        addresses.delete(sourceIp);
        advance(counts, second);
      } else {
        // Past the bound, the least recently seen address gives up its counters, reused rather than allocated again.
        const oldest = addresses.size >= maxAddresses ? addresses.keys().next().value : undefined;
        const reused = oldest === undefined ? undefined : addresses.get(oldest);
        if (oldest !== undefined) addresses.delete(oldest);
        reused?.perSecond.fill(0);
        counts = { perSecond: reused?.perSecond ?? new Uint32Array(window), total: 0, lastSecond: second };
      }
      addresses.set(sourceIp, counts);
      const slot = second % window;
      // A clock that went back counts in the latest second seen: never in a slot already cleared for reuse.
      const at = second < counts.lastSecond ? counts.lastSecond % window : slot;
      const held = counts.perSecond[at] ?? 0;
      if (held < 0xffffffff) {
        counts.perSecond[at] = held + 1;
        counts.total += 1;
      }
      return counts.total <= rule.limit;
    },
  };
}
