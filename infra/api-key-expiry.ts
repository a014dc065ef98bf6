/**
 * When the API key (the API's default auth mode) expires: a fixed date from
 * CDK context, never "365 days after this synth", so two synths of the same
 * commit are identical and `cdk diff` is clean.
 *
 * AppSync takes an expiry between 1 and 365 days after the key is created or
 * updated. Rotation (infra/README.md): set a later `apiKeyExpires` in
 * cdk.json and deploy; the key keeps its value and gets the new expiry.
 */
/** CDK context key: `cdk deploy -c apiKeyExpires=2027-11-01`, or cdk.json. */
export const apiKeyExpiresContextKey = 'apiKeyExpires';

const dayMs = 86_400_000;
/** AppSync's bounds on an API key's expiry, from now. */
const minDays = 1;
const maxDays = 365;
/** Synth warns this long before the key dies. */
export const apiKeyWarningDays = 30;

export class ApiKeyExpiryError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ApiKeyExpiryError';
  }
}

/**
 * Without context (tests, a first synth): the first day of this month, a
 * year on, at 00:00 UTC. The same for every synth in a calendar month, and
 * always 334 to 365 days away. Deployments pin it in cdk.json.
 */
export function defaultApiKeyExpiry(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), 1));
}

/** Parses the context value (YYYY-MM-DD, UTC midnight) and checks AppSync's 1-365 day window from now. */
export function apiKeyExpiryFrom(value: unknown, now: Date): Date {
  if (value === undefined) return defaultApiKeyExpiry(now);
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ApiKeyExpiryError(`context ${apiKeyExpiresContextKey} must be a date such as 2027-11-01, got ${JSON.stringify(value)}`);
  }
  const expires = new Date(`${value}T00:00:00Z`);
  const days = (expires.getTime() - now.getTime()) / dayMs;
  if (days < minDays || days > maxDays) {
    throw new ApiKeyExpiryError(
      `context ${apiKeyExpiresContextKey}=${value} is ${Math.floor(days)} days away; AppSync takes ${minDays} to ${maxDays}. ` +
        `Rotate: set a date within a year from today in cdk.json and deploy (infra/README.md).`,
    );
  }
  return expires;
}

/** Days left until the expiry, for the synth warning. */
export const daysUntil = (expires: Date, now: Date): number => Math.floor((expires.getTime() - now.getTime()) / dayMs);
