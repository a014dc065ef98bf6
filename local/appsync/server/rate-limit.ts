/**
 * The API's rate-based rule offline (api/rate-limit.ts): the local AppSync asks `admit` with a request's source
 * address and what its scope-down reads (method, two headers) before it does any work for the request (no body
 * read, no auth), and answers a refusal as AppSync answers a WAF block (errors.ts's `RequestErrors.wafBlocked`).
 *
 * Counting, as WAF counts: every request the rule evaluates counts, the ones it blocks too (WAF limits while an
 * address's request rate is over the limit, our reading: an address that keeps sending stays blocked), except those
 * the scope-down leaves out (SigV4-signed POSTs without an API key, api/rate-limit.ts), which are neither counted nor blocked. A request
 * is refused when the address's count over the trailing window, this request included, is over the limit. WAF
 * estimates the rate and may start and stop limiting late (usually under 30 s: "Rate-based rule caveats"); offline
 * it is exact to the second: a request counts from the second it arrives in for `windowSeconds` whole seconds.
 *
 * Bounded: each address keeps one counter a second of the window (4 bytes each) and the table holds at most
 * `maxAddresses` addresses, fewer for long windows, so that it never holds more than about `budgetBytes`. A
 * new address past that evicts the one seen least recently among those not over the limit: never a blocked one,
 * which rotating addresses would otherwise unblock. When every address held is over the limit (and the one seen
 * least recently still is), the addresses not tracked share one counter, as if they were one address: the table
 * stays bounded, the blocked stay blocked, and a newcomer sending at a blocking rate is refused. WAF, limiting at
 * most 10,000 addresses a rule, keeps "those with the highest rates"; offline, past the table's bound, the
 * newcomers together get one address's allowance, stricter than WAF for them, never a way around the limit.
 * Each request costs O(1) amortised: Map lookups and a re-insertion, and clearing the seconds passed since the
 * address was last seen (at most the window's, each cleared once); a new address past the bound looks at one
 * address to evict, the oldest of one table or the other.
 */
import { WafRateLimits, rateLimitCounts, type ApiRateLimitRule, type RateLimitedRequest } from '../../../api/rate-limit.ts';
import type { IncomingMessage } from 'node:http';

/** What the rule's scope-down reads, from a request. */
export const rateLimitedRequest = ({ method, headers }: Pick<IncomingMessage, 'method' | 'headers'>): RateLimitedRequest => ({
  method: method ?? '',
  header: (name) => {
    // Node keeps header names in lower case; WAF matches a single header's name whatever its case.
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  },
});

export interface RateLimiterOptions {
  /** The time in ms (Date.now's scale); tests move it. @default Date.now */
  readonly now?: () => number;
  /** About how many bytes the counters may hold in all. @default 4 MiB */
  readonly budgetBytes?: number;
}

export interface RateLimiter {
  readonly rule: ApiRateLimitRule;
  /** Counts the request when the rule does and says whether it may go on; false: answer RequestErrors.wafBlocked(). */
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
  // Two tables, by whether an address was over the limit when last seen; in each, insertion order is recency (each
  // request re-inserts its address), so the first key is the one seen least recently.
  const open = new Map<string, AddressCounts>();
  const over = new Map<string, AddressCounts>();
  /** The addresses not tracked while every address tracked is over the limit, counted together (see above). */
  const untracked: AddressCounts = { perSecond: new Uint32Array(window), total: 0, lastSecond: Math.floor(now() / 1000) };

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

  /**
   * Counters for an address not tracked yet: new ones under the bound; past it, those of the least recently seen
   * address that is not over the limit (cleared and reused). Never a blocked address's, which would free it (an
   * attacker rotating addresses, as 127.x.y.z on loopback, could otherwise unblock its own). When all are over, the
   * least recently seen of them is checked for having fallen back under the limit since; if it has not, none.
   */
  const countersForNewAddress = (second: number): Uint32Array | undefined => {
    if (open.size + over.size < maxAddresses) return new Uint32Array(window);
    const [address, counts] = open.entries().next().value ?? over.entries().next().value ?? [];
    if (address === undefined || counts === undefined) return undefined;
    if (!open.has(address)) {
      advance(counts, second);
      if (counts.total > rule.limit) return undefined;
    }
    open.delete(address);
    over.delete(address);
    counts.perSecond.fill(0);
    return counts.perSecond;
  };

  /** Counts one request in `second` and says whether the total over the window is within the limit. */
  const countAndJudge = (counts: AddressCounts, second: number): boolean => {
    // A clock that went back counts in the latest second seen: never in a slot already cleared for reuse.
    const at = (second < counts.lastSecond ? counts.lastSecond : second) % window;
    const held = counts.perSecond[at] ?? 0;
    if (held < 0xffffffff) {
      counts.perSecond[at] = held + 1;
      counts.total += 1;
    }
    return counts.total <= rule.limit;
  };

  return {
    rule,
    maxAddresses,
    get trackedAddresses() {
      return open.size + over.size;
    },
    admit(sourceIp, request) {
      if (!rateLimitCounts(request)) return true;
      const second = Math.floor(now() / 1000);
      let counts = open.get(sourceIp) ?? over.get(sourceIp);
      if (counts) {
        open.delete(sourceIp);
        over.delete(sourceIp);
        advance(counts, second);
      } else {
        const perSecond = countersForNewAddress(second);
        if (!perSecond) {
          // Every address tracked is over the limit: this one counts with the other untracked ones, as one address.
          advance(untracked, second);
          return countAndJudge(untracked, second);
        }
        counts = { perSecond, total: 0, lastSecond: second };
      }
      const admitted = countAndJudge(counts, second);
      (admitted ? open : over).set(sourceIp, counts);
      return admitted;
    },
  };
}
