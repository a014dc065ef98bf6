/**
 * The GraphQL API's request-rate limit per client IP, declared once. The API key is public (the gallery serves it),
 * so nothing else stops one address from calling requestUpload (a DynamoDB write and a Lambda invocation each) or
 * paging imagesByLabel (read units) in a loop.
 * - AWS: an AWS WAF web ACL associated with the AppSync API, with one rate-based rule (infra/api-rate-limit.ts);
 *   CDK context `apiRateLimit` and `apiRateLimitWindowSeconds` (`-c`, or added to cdk.json), else the defaults;
 * - offline: the local AppSync applies the same rule before any work for a request
 *   (local/appsync/server/rate-limit.ts); `LABELCAST_API_RATE_LIMIT` and `LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS`,
 *   else the same cdk.json context, else the defaults (local/config.ts).
 *
 * POSTs signed with SigV4 (the labeler's IAM-only publishImageLabeled) are not counted, nor blocked: the rule's
 * scope-down statement (`rateLimitScopeDown`, declared here once as data) matches only requests that are not POSTs,
 * or whose Authorization header does not start with the SigV4 algorithm, or that carry an `x-api-key` header. A
 * forged `Authorization: AWS4-HMAC-SHA256 …` header on a POST without an API key then escapes the count but only
 * buys requests AppSync refuses (403) before any resolver runs; with an API key beside it, it is counted, so which
 * credential AppSync picks when a request carries both does not matter.
 *
 * Plain data and functions (read by infra/ and local/ alike).
 */

/** AWS WAF's bounds on a rate-based statement (RateBasedStatement: Limit, EvaluationWindowSec). */
export const WafRateLimits = {
  /** "The lowest limit setting allowed is 10" (WAF Developer Guide, rate-based rule high-level settings). */
  minLimit: 10,
  /** RateBasedStatement.Limit's upper bound in the WAFV2 API model. */
  maxLimit: 2_000_000_000,
  /** The only evaluation windows WAF takes, in seconds. */
  windowsSeconds: [60, 120, 300, 600],
  /**
   * "The maximum number of IP addresses that can be rate limited by a single rate-based rule instance is 10,000. If
   * more than 10,000 addresses exceed the rate limit, AWS WAF limits those with the highest rates."
   */
  maxLimitedAddresses: 10_000,
} as const;

export interface ApiRateLimitRule {
  /** Requests one address may make in any `windowSeconds`; the next is blocked. */
  readonly limit: number;
  /** The trailing window the requests are counted over: 60, 120, 300 or 600 s. */
  readonly windowSeconds: number;
}

export const ApiRateLimitSetting = {
  contextKeys: { limit: 'apiRateLimit', windowSeconds: 'apiRateLimitWindowSeconds' },
  offlineVariables: { limit: 'LABELCAST_API_RATE_LIMIT', windowSeconds: 'LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS' },
  /**
   * 5,000 requests in 5 minutes, so that a gallery user dropping 500 photos passes while two more gallery tabs at the
   * same address (a second device, or a colleague behind the same NAT) follow a labeler working at full speed. The
   * gallery's requests (client-example/web/src):
   * - a drop: one requestUpload per photo in the tab that drops it (the bytes go to S3, not the API; that tab shows
   *   its local preview, so the photo's labelled event makes it read nothing); one `image(id)` per photo still
   *   PENDING each time a tab's socket reconnects (refreshPending); the library's pages (24 images a request),
   *   searches and suggestions, a few dozen. 500 photos with one reconnect: about 1,050.
   * - every open tab in the API-key space: one `image(id)` per photo anyone labels there, as the labelled event
   *   carries no URLs (the labeler's publish selects none, functions/shared/appsync-publisher.ts) and library.ts
   *   re-reads a card with nothing to show. That is bounded by the labeler, at most one image per Rekognition call
   *   allowed a second (cdk.json's `rekognitionTps`, 5: 1,500 in 5 minutes) whoever uploads.
   * The drop and two more tabs following the labeler: 1,050 + 2 × 1,500 = 4,050. Only if the labeler also ran flat
   * out on 1,000 other users' photos in that window would the dropping tab's re-reads of them bring it to ~5,050.
   * AWS WAF's price does not depend on the limit (per web ACL, rule and request inspected); a loop from one
   * address is held to 5,000 PENDING writes and presign invocations per 5 minutes.
   */
  defaults: { limit: 5000, windowSeconds: 300 },
} as const satisfies { defaults: ApiRateLimitRule } & Record<string, unknown>;

/**
 * The part of AWS WAF's statement language the rule's scope-down uses, as data: evaluated offline by
 * `scopeDownMatches`, rendered to the web ACL's statement by infra/api-rate-limit.ts, so both read one declaration.
 * Header names are lower case (Node's, and WAF matches a single header's name whatever its case); values are
 * compared as sent (WAF: no text transformation, case-sensitive).
 */
export type ScopeDownStatement =
  /** Any of the statements matches (WAF: OrStatement, at least two). */
  | { readonly kind: 'anyOf'; readonly statements: readonly [ScopeDownStatement, ScopeDownStatement, ...ScopeDownStatement[]] }
  /** The statement does not match (WAF: NotStatement). */
  | { readonly kind: 'not'; readonly statement: ScopeDownStatement }
  /** The header is there and starts with `prefix` (WAF: ByteMatchStatement STARTS_WITH on a single header; a missing header does not match). */
  | { readonly kind: 'headerStartsWith'; readonly header: string; readonly prefix: string }
  /** The header is there with a value (WAF: SizeConstraintStatement, its size GT 0: WAF's idiom for a header that is present). */
  | { readonly kind: 'headerPresent'; readonly header: string }
  /** The method is exactly this (WAF: ByteMatchStatement EXACTLY on the method). */
  | { readonly kind: 'methodEquals'; readonly method: string };

/**
 * The requests the rule counts (and may block): all but SigV4-signed POSTs without an API key (the labeler's
 * publishImageLabeled). A request that carries `x-api-key` is counted whatever its Authorization says: a forged SigV4
 * header beside a real API key must not buy uncounted requests, whichever of the two AppSync then authenticates. Any
 * other method is counted too: a realtime connect (a GET) carries its credential in the subprotocol or `?header=`,
 * out of the rule's sight, so a forged SigV4 Authorization on it would otherwise escape the count while AppSync
 * connects it with the API key.
 */
export const rateLimitScopeDown: ScopeDownStatement = {
  kind: 'anyOf',
  statements: [
    { kind: 'not', statement: { kind: 'methodEquals', method: 'POST' } },
    { kind: 'not', statement: { kind: 'headerStartsWith', header: 'authorization', prefix: 'AWS4-HMAC-SHA256' } },
    { kind: 'headerPresent', header: 'x-api-key' },
  ],
};

export class ApiRateLimitSettingError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ApiRateLimitSettingError';
  }
}

/** A setting's value: a number, or its decimal text (`-c key=value`, an environment variable); unset or '' is undefined. */
function integerFrom(value: unknown, source: string, allowed: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new ApiRateLimitSettingError(`${source} must be ${allowed}, got ${JSON.stringify(value)}`);
  }
  return number;
}

/**
 * The rule from two settings' values, each undefined for its default; `sources` name where they came from (a
 * context key, a variable), so that a bad value's error names its key.
 *
 * @example apiRateLimitFrom({ limit: '50', windowSeconds: undefined }, { limit: 'LABELCAST_API_RATE_LIMIT', windowSeconds: '…' })
 */
export function apiRateLimitFrom(values: { readonly limit: unknown; readonly windowSeconds: unknown }, sources: { readonly limit: string; readonly windowSeconds: string }): ApiRateLimitRule {
  const limitText = `an integer from ${WafRateLimits.minLimit} to ${WafRateLimits.maxLimit} (AWS WAF's rate-based rule limits)`;
  const windowText = `one of ${WafRateLimits.windowsSeconds.join(', ')} (the evaluation windows AWS WAF takes, in seconds)`;
  const limit = integerFrom(values.limit, sources.limit, limitText) ?? ApiRateLimitSetting.defaults.limit;
  const windowSeconds = integerFrom(values.windowSeconds, sources.windowSeconds, windowText) ?? ApiRateLimitSetting.defaults.windowSeconds;
  if (limit < WafRateLimits.minLimit || limit > WafRateLimits.maxLimit) {
    throw new ApiRateLimitSettingError(`${sources.limit} must be ${limitText}, got ${JSON.stringify(values.limit)}`);
  }
  if (!(WafRateLimits.windowsSeconds as readonly number[]).includes(windowSeconds)) {
    throw new ApiRateLimitSettingError(`${sources.windowSeconds} must be ${windowText}, got ${JSON.stringify(values.windowSeconds)}`);
  }
  return { limit, windowSeconds };
}

/** The rule from CDK context (`context(key)` is the app's tryGetContext). */
export const apiRateLimitFromContext = (context: (key: string) => unknown): ApiRateLimitRule => {
  const keys = ApiRateLimitSetting.contextKeys;
  return apiRateLimitFrom(
    { limit: context(keys.limit), windowSeconds: context(keys.windowSeconds) },
    { limit: `context ${keys.limit}`, windowSeconds: `context ${keys.windowSeconds}` },
  );
};

/** What of a request a scope-down statement reads: its method and its headers by (lower-case) name. */
export interface RateLimitedRequest {
  readonly method: string;
  header(name: string): string | undefined;
}

/** Whether `statement` matches the request, as WAF evaluates it. */
export function scopeDownMatches(statement: ScopeDownStatement, request: RateLimitedRequest): boolean {
  switch (statement.kind) {
    case 'anyOf':
      return statement.statements.some((each) => scopeDownMatches(each, request));
    case 'not':
      return !scopeDownMatches(statement.statement, request);
    case 'headerStartsWith':
      return request.header(statement.header)?.startsWith(statement.prefix) ?? false;
    case 'headerPresent':
      return (request.header(statement.header) ?? '').length > 0;
    case 'methodEquals':
      return request.method === statement.method;
  }
}

/** Whether the rule counts (and may block) a request: `rateLimitScopeDown` matches it. */
export const rateLimitCounts = (request: RateLimitedRequest): boolean => scopeDownMatches(rateLimitScopeDown, request);
