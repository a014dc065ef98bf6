/** The API's rate-limit rule, declared once: read from CDK context and from the offline variables, validated alike. */
import { describe, expect, it } from 'vitest';
import { apiRateLimitFrom, apiRateLimitFromContext, ApiRateLimitSetting, ApiRateLimitSettingError, rateLimitCounts, scopeDownMatches } from '../../api/rate-limit.ts';
import { configFromEnv, LocalConfigError } from '../../local/config.ts';

const sources = { limit: 'L', windowSeconds: 'W' };

describe('Function: apiRateLimitFrom', () => {
  it('takes WAF\'s limits and windows, as numbers or their text, and the defaults for what is unset', () => {
    expect(apiRateLimitFrom({ limit: 10, windowSeconds: 60 }, sources)).toEqual({ limit: 10, windowSeconds: 60 });
    expect(apiRateLimitFrom({ limit: ' 2000000000 ', windowSeconds: '600' }, sources)).toEqual({ limit: 2_000_000_000, windowSeconds: 600 });
    expect(apiRateLimitFrom({ limit: undefined, windowSeconds: '' }, sources)).toEqual(ApiRateLimitSetting.defaults);
  });

  it('refuses what WAF refuses, naming the key', () => {
    expect(() => apiRateLimitFrom({ limit: 9, windowSeconds: 300 }, sources)).toThrow(new ApiRateLimitSettingError('L must be an integer from 10 to 2000000000 (AWS WAF\'s rate-based rule limits), got 9'));
    expect(() => apiRateLimitFrom({ limit: 2_000_000_001, windowSeconds: 300 }, sources)).toThrow(/^L must be/);
    expect(() => apiRateLimitFrom({ limit: '1e3', windowSeconds: 300 }, sources)).toThrow(/^L must be .*got "1e3"/);
    expect(() => apiRateLimitFrom({ limit: 100, windowSeconds: 30 }, sources)).toThrow(
      new ApiRateLimitSettingError('W must be one of 60, 120, 300, 600 (the evaluation windows AWS WAF takes, in seconds), got 30'),
    );
    expect(() => apiRateLimitFrom({ limit: 100, windowSeconds: '60.5' }, sources)).toThrow(/^W must be/);
  });

  it('reads its two CDK context keys, and the defaults for what is unset', () => {
    const context: Record<string, unknown> = { apiRateLimit: 77, apiRateLimitWindowSeconds: '120' };
    expect(apiRateLimitFromContext((key) => context[key])).toEqual({ limit: 77, windowSeconds: 120 });
    expect(apiRateLimitFromContext(() => undefined)).toEqual(ApiRateLimitSetting.defaults);
    expect(() => apiRateLimitFromContext((key) => (key === 'apiRateLimitWindowSeconds' ? '90' : undefined))).toThrow(/^context apiRateLimitWindowSeconds must be/);
  });
});

describe('Function: rateLimitCounts', () => {
  const sigV4 = 'AWS4-HMAC-SHA256 Credential=AKIA…/20261201/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=00';
  const request = (method: string, headers: Record<string, string>) => ({ method, header: (name: string) => headers[name] });

  it('counts every request but a SigV4-signed POST without an API key, as the scope-down statement matches (case-sensitive, no transformation)', () => {
    // Arrange: method × Authorization × x-api-key, and whether WAF's statement matches (counts) each.
    const matrix: [method: string, headers: Record<string, string>, counted: boolean][] = [
      ['POST', { authorization: sigV4 }, false],
      ['POST', { authorization: sigV4, 'x-api-key': '' }, false],
      ['POST', { authorization: sigV4, 'x-api-key': 'da2-public' }, true],
      ['POST', {}, true],
      ['POST', { 'x-api-key': 'da2-public' }, true],
      ['POST', { authorization: 'eyJraWQiOi…' }, true],
      ['POST', { authorization: 'aws4-hmac-sha256 Credential=…' }, true],
      ['POST', { authorization: ` ${sigV4}` }, true],
      // A realtime connect is a GET whose key is in the subprotocol or ?header=, out of the rule's sight.
      ['GET', { authorization: sigV4 }, true],
      ['GET', {}, true],
      ['OPTIONS', { authorization: sigV4 }, true],
      ['post', { authorization: sigV4 }, true],
    ];

    // Act
    const answers = matrix.map(([method, headers]) => rateLimitCounts(request(method, headers)));

    // Assess
    expect(answers).toEqual(matrix.map(([, , counted]) => counted));
  });
});

describe('Function: scopeDownMatches', () => {
  it('evaluates each kind of statement, reading headers by their lower-case names', () => {
    const post = { method: 'POST', header: (name: string) => ({ 'x-a': 'abc', 'x-empty': '' })[name] };
    expect(scopeDownMatches({ kind: 'methodEquals', method: 'POST' }, post)).toBe(true);
    expect(scopeDownMatches({ kind: 'methodEquals', method: 'GET' }, post)).toBe(false);
    expect(scopeDownMatches({ kind: 'headerStartsWith', header: 'x-a', prefix: 'ab' }, post)).toBe(true);
    expect(scopeDownMatches({ kind: 'headerStartsWith', header: 'x-a', prefix: 'b' }, post)).toBe(false);
    expect(scopeDownMatches({ kind: 'headerStartsWith', header: 'x-missing', prefix: '' }, post)).toBe(false);
    expect(scopeDownMatches({ kind: 'headerPresent', header: 'x-a' }, post)).toBe(true);
    expect(scopeDownMatches({ kind: 'headerPresent', header: 'x-empty' }, post)).toBe(false);
    expect(scopeDownMatches({ kind: 'headerPresent', header: 'x-missing' }, post)).toBe(false);
    expect(scopeDownMatches({ kind: 'not', statement: { kind: 'headerPresent', header: 'x-missing' } }, post)).toBe(true);
    const never = { kind: 'methodEquals', method: 'PUT' } as const;
    expect(scopeDownMatches({ kind: 'anyOf', statements: [never, never] }, post)).toBe(false);
    expect(scopeDownMatches({ kind: 'anyOf', statements: [never, { kind: 'headerPresent', header: 'x-a' }] }, post)).toBe(true);
  });
});

describe('Function: configFromEnv (rate limit)', () => {
  // A cdk.json context with values unlike the defaults, so that falling back to it is told from falling back to them.
  const cdkContext = () => ({ apiRateLimit: 77, apiRateLimitWindowSeconds: 120 });
  const noContext = () => ({});

  it('takes each variable over the cdk.json context, each unset one from the context, and names a bad one', () => {
    expect(configFromEnv({ LABELCAST_API_RATE_LIMIT: '25', LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS: '60' }, cdkContext).apiRateLimit).toEqual({ limit: 25, windowSeconds: 60 });
    expect(configFromEnv({}, cdkContext).apiRateLimit).toEqual({ limit: 77, windowSeconds: 120 });
    expect(configFromEnv({ LABELCAST_API_RATE_LIMIT: '25' }, cdkContext).apiRateLimit).toEqual({ limit: 25, windowSeconds: 120 });
    expect(configFromEnv({ LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS: '600' }, cdkContext).apiRateLimit).toEqual({ limit: 77, windowSeconds: 600 });
    expect(() => configFromEnv({ LABELCAST_API_RATE_LIMIT: '5' }, cdkContext)).toThrow(LocalConfigError);
    expect(() => configFromEnv({ LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS: '5' }, cdkContext)).toThrow(/^LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS must be one of/);
    expect(() => configFromEnv({}, () => ({ apiRateLimitWindowSeconds: 90 }))).toThrow(new LocalConfigError('cdk.json context apiRateLimitWindowSeconds must be one of 60, 120, 300, 600 (the evaluation windows AWS WAF takes, in seconds), got 90'));
  });

  it('takes the declaration\'s defaults when neither a variable nor the context sets the rule, as the repo\'s cdk.json does', () => {
    expect(configFromEnv({}, noContext).apiRateLimit).toEqual(ApiRateLimitSetting.defaults);
    expect(configFromEnv({ LABELCAST_API_RATE_LIMIT: '25' }, noContext).apiRateLimit).toEqual({ limit: 25, windowSeconds: ApiRateLimitSetting.defaults.windowSeconds });
    expect(configFromEnv({}).apiRateLimit).toEqual(ApiRateLimitSetting.defaults);
  });
});
