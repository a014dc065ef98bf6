/**
 * `cdk synth` is a function of the commit and its context: two synths give
 * the same template (no clock in it), the API key expiry is a fixed date, and
 * a region without Rekognition label detection is refused before anything is built.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { apiKeyExpiryFrom, ApiKeyExpiryError, defaultApiKeyExpiry } from '../../infra/api-key-expiry.ts';
import { createLabelcastApp } from '../../infra/labelcast-app.ts';
import { checkRekognitionRegion, rekognitionLabelRegions, UnsupportedRegionError } from '../../infra/rekognition-regions.ts';
import { Stage } from '../../infra/stage.ts';
import { inScratchOutdir, synthWithoutBundling } from './synth.ts';

describe('Synthesis', () => {
  let first: Record<string, unknown>;
  let second: Record<string, unknown>;

  // Two synths (resolver bundling included) happen here, under a hook timeout that fits 2 loaded cores, not in the test.
  beforeAll(() => {
    first = synthWithoutBundling(Stage.DEV, { apiKeyExpires: '2027-11-01' }).template.toJSON();
    second = synthWithoutBundling(Stage.DEV, { apiKeyExpires: '2027-11-01' }).template.toJSON();
  }, 180_000);

  it('gives the same template twice, API key expiry included', () => {
    expect(second).toEqual(first);
    const apiKeys = Object.values(first.Resources as Record<string, { Type: string; Properties: { Expires?: number } }>).filter(
      (resource) => resource.Type === 'AWS::AppSync::ApiKey',
    );
    expect(apiKeys.map((key) => key.Properties.Expires)).toEqual([Date.parse('2027-11-01T00:00:00Z') / 1000]);
  });
});

describe('Function: apiKeyExpiryFrom', () => {
  const now = new Date('2026-11-29T20:00:00Z');

  it('takes a date within AppSync\'s 1-365 day window', () => {
    expect(apiKeyExpiryFrom('2027-11-01', now)).toEqual(new Date('2027-11-01T00:00:00Z'));
  });

  it.each([
    ['2026-11-30', /=2026-11-30 is 4 hours away \(synth time 2026-11-29T20:00:00.000Z\); AppSync takes 1 to 365 days\. Rotate: set a date within a year/],
    ['2027-12-01', /is 366 days 4 hours away/],
    ['2025-01-01', /is 697 days 20 hours in the past/],
    ['next year', /must be a date such as 2027-11-01/],
    [20271101, /must be a date/],
  ])('refuses %j, saying how far it is', (value, message) => {
    expect(() => apiKeyExpiryFrom(value, now)).toThrow(ApiKeyExpiryError);
    expect(() => apiKeyExpiryFrom(value, now)).toThrow(message);
  });

  it('says exactly how far past 365 days a date is, not the whole days rounded down', () => {
    // 365.5 days: "365 days away" would read as inside the window.
    expect(() => apiKeyExpiryFrom('2027-11-30', new Date('2026-11-29T12:00:00Z'))).toThrow(/is 365 days 12 hours away/);
    expect(() => apiKeyExpiryFrom('2027-11-30', new Date('2026-11-29T23:59:59.500Z'))).toThrow(/is 365 days 0.5 seconds away/);
    expect(apiKeyExpiryFrom('2027-11-30', new Date('2026-11-30T00:00:00Z'))).toEqual(new Date('2027-11-30T00:00:00Z'));
  });

  it('without context, is the first of this month a year on: the same all month, inside the window', () => {
    const early = defaultApiKeyExpiry(new Date('2026-11-01T00:00:01Z'));
    const late = defaultApiKeyExpiry(new Date('2026-11-30T23:59:59Z'));
    expect(early).toEqual(new Date('2027-11-01T00:00:00Z'));
    expect(late).toEqual(early);
    expect(() => apiKeyExpiryFrom(undefined, new Date('2026-11-01T00:00:01Z'))).not.toThrow();
  });

  it('without context, is the day before when the first of this month a year on is 366 days on (29 February between)', () => {
    // 2028-03-01 would be 365 days 23:59:59 away, which AppSync refuses.
    expect(defaultApiKeyExpiry(new Date('2027-03-01T00:00:01Z'))).toEqual(new Date('2028-02-29T00:00:00Z'));
    expect(defaultApiKeyExpiry(new Date('2027-03-31T23:59:59Z'))).toEqual(new Date('2028-02-29T00:00:00Z'));
    expect(apiKeyExpiryFrom(undefined, new Date('2027-03-01T00:00:01Z'))).toEqual(new Date('2028-02-29T00:00:00Z'));
    expect(defaultApiKeyExpiry(new Date('2028-03-01T00:00:01Z'))).toEqual(new Date('2029-03-01T00:00:00Z'));
  });

  it('without context, passes the same window check as a context value, on the hour, at every second a month can start or end', () => {
    for (let year = 2026; year <= 2029; year += 1) {
      for (let month = 0; month < 12; month += 1) {
        const start = Date.UTC(year, month, 1);
        for (const now of [start, start + 1, start + 999, start + 1000, Date.UTC(year, month + 1, 1) - 1]) {
          const expires = apiKeyExpiryFrom(undefined, new Date(now));
          expect(expires).toEqual(defaultApiKeyExpiry(new Date(now)));
          expect(expires.getTime() % 3_600_000).toBe(0);
          expect(expires).toEqual(defaultApiKeyExpiry(new Date(start)));
        }
      }
    }
  });

  it('a synth with an expiry outside the window fails, naming the context key', () => {
    expect(() => inScratchOutdir((outdir) => createLabelcastApp({ outdir, guard: false, context: { apiKeyExpires: '2020-01-01' } }))).toThrow(/apiKeyExpires=2020-01-01/);
  });
});

describe('Function: checkRekognitionRegion', () => {
  it.each(['us-east-1', 'eu-west-1', 'il-central-1'])('passes %s, which has DetectLabels', (region) => {
    expect(() => checkRekognitionRegion(region)).not.toThrow();
  });

  it.each(['ca-central-1', 'eu-north-1', 'af-south-1'])('refuses %s, naming it and the regions that work', (region) => {
    expect(() => checkRekognitionRegion(region)).toThrow(UnsupportedRegionError);
    expect(() => checkRekognitionRegion(region)).toThrow(new RegExp(`not available in ${region}.*us-east-1, us-east-2`));
  });

  it('lets a synth without a known region through (the stack is environment-agnostic)', () => {
    expect(() => checkRekognitionRegion(undefined)).not.toThrow();
    expect(rekognitionLabelRegions).not.toContain('ca-central-1');
  });

  it('refuses a synth for an unsupported region from context, before building anything', () => {
    expect(() => inScratchOutdir((outdir) => createLabelcastApp({ outdir, guard: false, context: { region: 'eu-north-1' } }))).toThrow(UnsupportedRegionError);
  });
});
