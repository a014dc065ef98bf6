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
    ['2026-11-30', /is 0 days away; AppSync takes 1 to 365/],
    ['2027-12-01', /is 366 days away/],
    ['2025-01-01', /days away/],
    ['next year', /must be a date such as 2027-11-01/],
    [20271101, /must be a date/],
  ])('refuses %j, saying how to rotate', (value, message) => {
    expect(() => apiKeyExpiryFrom(value, now)).toThrow(ApiKeyExpiryError);
    expect(() => apiKeyExpiryFrom(value, now)).toThrow(message);
  });

  it('without context, is the first of this month a year on: the same all month, inside the window', () => {
    const early = defaultApiKeyExpiry(new Date('2026-11-01T00:00:01Z'));
    const late = defaultApiKeyExpiry(new Date('2026-11-30T23:59:59Z'));
    expect(early).toEqual(new Date('2027-11-01T00:00:00Z'));
    expect(late).toEqual(early);
    expect(() => apiKeyExpiryFrom(undefined, new Date('2026-11-01T00:00:01Z'))).not.toThrow();
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
