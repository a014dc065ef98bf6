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
 * Without context (tests, a first synth): the first day of this month, a year on, at 00:00 UTC, or, when
 * that is 366 days after the first of this month (a 29 February in between), the day before it. The same
 * for every synth in a calendar month, on the hour (AppSync rounds an expiry down to the hour), and always
 * more than 334 and at most 365 days away. Deployments pin it in cdk.json.
 */
export function defaultApiKeyExpiry(now: Date): Date {
  const firstOfThisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const firstOfThisMonthAYearOn = Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), 1);
  return new Date(Math.min(firstOfThisMonthAYearOn, firstOfThisMonth + maxDays * dayMs));
}

/** A positive duration in days, hours, minutes and seconds, leaving out the zero parts: exact, unlike whole days. */
function formatDuration(ms: number): string {
  const parts: [number, string][] = [
    [Math.floor(ms / dayMs), 'day'],
    [Math.floor((ms % dayMs) / 3_600_000), 'hour'],
    [Math.floor((ms % 3_600_000) / 60_000), 'minute'],
    [(ms % 60_000) / 1000, 'second'],
  ];
  const text = parts
    .filter(([count]) => count !== 0)
    .map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`)
    .join(' ');
  return text === '' ? '0 seconds' : text;
}

/** The expiry if AppSync takes it from `now` (1 to 365 days away); otherwise an error naming `what`, exactly how far it is and how to rotate. */
function checkedExpiry(expires: Date, now: Date, what: string): Date {
  const ms = expires.getTime() - now.getTime();
  if (ms < minDays * dayMs || ms > maxDays * dayMs) {
    const distance = ms >= 0 ? `${formatDuration(ms)} away` : `${formatDuration(-ms)} in the past`;
    throw new ApiKeyExpiryError(
      `${what} is ${distance} (synth time ${now.toISOString()}); AppSync takes ${minDays} to ${maxDays} days. ` +
        `Rotate: set a date within a year from today in cdk.json and deploy (infra/README.md).`,
    );
  }
  return expires;
}

/** Parses the context value (YYYY-MM-DD, UTC midnight); it, or the default without one, must be in AppSync's 1-365 day window from now. */
export function apiKeyExpiryFrom(value: unknown, now: Date): Date {
  if (value === undefined) {
    const expires = defaultApiKeyExpiry(now);
    return checkedExpiry(expires, now, `the default API key expiry ${expires.toISOString()} (no context ${apiKeyExpiresContextKey})`);
  }
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ApiKeyExpiryError(`context ${apiKeyExpiresContextKey} must be a date such as 2027-11-01, got ${JSON.stringify(value)}`);
  }
  return checkedExpiry(new Date(`${value}T00:00:00Z`), now, `context ${apiKeyExpiresContextKey}=${value}`);
}

/** Days left until the expiry, for the synth warning. */
export const daysUntil = (expires: Date, now: Date): number => Math.floor((expires.getTime() - now.getTime()) / dayMs);
