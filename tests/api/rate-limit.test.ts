/** The API's rate-limit rule, declared once: read from CDK context and from the offline variables, validated alike. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { apiRateLimitFrom, apiRateLimitFromContext, ApiRateLimitSetting, ApiRateLimitSettingError, rateLimitCounts } from '../../api/rate-limit.ts';
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

  it('reads the CDK context keys cdk.json declares', () => {
    const context = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')).context as Record<string, unknown>;
    expect(apiRateLimitFromContext((key) => context[key])).toEqual({ limit: context.apiRateLimit, windowSeconds: context.apiRateLimitWindowSeconds });
    expect(() => apiRateLimitFromContext((key) => (key === 'apiRateLimitWindowSeconds' ? '90' : undefined))).toThrow(/^context apiRateLimitWindowSeconds must be/);
  });
});

describe('Function: rateLimitCounts', () => {
  it('counts every request but a SigV4-signed POST, as the scope-down statement matches (case-sensitive, no transformation)', () => {
    const counts = (authorization: string | undefined) => rateLimitCounts({ method: 'POST', authorization, apiKey: undefined });
    expect(counts(undefined)).toBe(true);
    expect(counts('eyJraWQiOi…')).toBe(true);
    expect(counts('aws4-hmac-sha256 Credential=…')).toBe(true);
    expect(counts('AWS4-HMAC-SHA256 Credential=AKIA…/appsync/aws4_request')).toBe(false);
  });

  it('counts a SigV4 Authorization that comes with an API key: a forged signature beside the public key buys no uncounted requests', () => {
    expect(rateLimitCounts({ method: 'POST', authorization: 'AWS4-HMAC-SHA256 Credential=AKIA…/appsync/aws4_request', apiKey: 'da2-public' })).toBe(true);
    expect(rateLimitCounts({ method: 'POST', authorization: 'AWS4-HMAC-SHA256 Credential=AKIA…/appsync/aws4_request', apiKey: '' })).toBe(false);
  });

  it('counts a SigV4 Authorization on any method but POST: a realtime connect (GET) carries its key out of the rule\'s sight', () => {
    expect(rateLimitCounts({ method: 'GET', authorization: 'AWS4-HMAC-SHA256 Credential=AKIA…/appsync/aws4_request', apiKey: undefined })).toBe(true);
    expect(rateLimitCounts({ method: 'OPTIONS', authorization: 'AWS4-HMAC-SHA256 Credential=AKIA…/appsync/aws4_request', apiKey: undefined })).toBe(true);
  });
});

describe('Function: configFromEnv (rate limit)', () => {
  it('takes each variable over the cdk.json context, and names a bad one', () => {
    expect(configFromEnv({ LABELCAST_API_RATE_LIMIT: '25', LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS: '60' }).apiRateLimit).toEqual({ limit: 25, windowSeconds: 60 });
    expect(configFromEnv({}).apiRateLimit).toEqual(ApiRateLimitSetting.defaults);
    expect(configFromEnv({ LABELCAST_API_RATE_LIMIT: '25' }).apiRateLimit).toEqual({ limit: 25, windowSeconds: ApiRateLimitSetting.defaults.windowSeconds });
    expect(() => configFromEnv({ LABELCAST_API_RATE_LIMIT: '5' })).toThrow(LocalConfigError);
    expect(() => configFromEnv({ LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS: '5' })).toThrow(/^LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS must be one of/);
  });
});
