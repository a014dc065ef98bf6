/**
 * AppSync hands values across its boundaries as JSON (a Lambda's result
 * comes back as JSON too): undefined is dropped, dates become strings.
 * No imports, so any part of local/appsync may use it without a cycle.
 */
export function asJson<T>(value: T): T {
  if (value === undefined) return null as T;
  return JSON.parse(JSON.stringify(value)) as T;
}
