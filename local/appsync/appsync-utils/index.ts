/**
 * A working `@aws-appsync/utils` for the local AppSync. The npm package is
 * types only; resolver bundles keep the import (api/bundle.ts), and the
 * sandbox links it to this module (sandbox-entry.ts), which runs inside every
 * resolver's vm context, as AppSync's built-in runtime would.
 *
 * Everything per request (appended errors, subscription filters, ...) goes
 * through invocation.ts's slot, never through module variables, so the host
 * can hand it in and take it back around each handler call.
 */
import type { Extensions, Util } from '@aws-appsync/utils';
import { dynamodb } from './dynamodb.ts';
import { autoId, autoKsuid, autoUlid, base64Decode, base64Encode, escapeJavaScript, urlDecode, urlEncode } from './encoding.ts';
import { http, math, str, xml } from './helpers.ts';
import { currentInvocation } from './invocation.ts';
import { earlyReturnSignal, errorSignal } from './signals.ts';
import { time } from './time.ts';
import { transform } from './transform.ts';

const isNull = (value: unknown): boolean => value === null || value === undefined;
const isNullOrEmpty = (value: unknown): boolean => isNull(value) || value === '';
const isNullOrBlank = (value: unknown): boolean => isNull(value) || (typeof value === 'string' && value.trim() === '');

function typeOf(value: unknown): string {
  if (isNull(value)) return 'Null';
  if (Array.isArray(value)) return 'List';
  switch (typeof value) {
    case 'string': return 'String';
    case 'number': return 'Number';
    case 'boolean': return 'Boolean';
    default: return 'Map';
  }
}

/** The VTL type helpers; not in the APPSYNC_JS typings, kept for resolvers ported from VTL. */
const typeHelpers = {
  isNull,
  isNullOrEmpty,
  isNullOrBlank,
  defaultIfNull: <T>(value: T, fallback: T) => (isNull(value) ? fallback : value),
  defaultIfNullOrEmpty: <T>(value: T, fallback: T) => (isNullOrEmpty(value) ? fallback : value),
  defaultIfNullOrBlank: <T>(value: T, fallback: T) => (isNullOrBlank(value) ? fallback : value),
  isString: (value: unknown) => typeof value === 'string',
  isNumber: (value: unknown) => typeof value === 'number',
  isBoolean: (value: unknown) => typeof value === 'boolean',
  isList: (value: unknown) => Array.isArray(value),
  isMap: (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value),
  typeOf,
};

/** util.rds needs an RDS Data API data source, which the local stack does not have. */
const rds = new Proxy({} as Util['rds'], {
  get: (_, name) => () => {
    throw new Error(`util.rds.${String(name)} is not available in the local AppSync (no RDS data source)`);
  },
});

export const util: Util & typeof typeHelpers = {
  escapeJavaScript,
  urlEncode,
  urlDecode,
  base64Encode,
  base64Decode,
  autoId,
  autoUlid: () => autoUlid(),
  autoKsuid: () => autoKsuid(),
  unauthorized(): never {
    throw { ...errorSignal('Not Authorized', 'Unauthorized'), unauthorized: true };
  },
  error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
    throw errorSignal(message, errorType, data, errorInfo);
  },
  appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
    currentInvocation().appendedErrors.push({
      message,
      ...(errorType !== undefined ? { errorType } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(errorInfo !== undefined ? { errorInfo } : {}),
    });
  },
  matches: (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value),
  authType: () => currentInvocation().authType,
  time,
  dynamodb,
  rds,
  http,
  xml,
  transform,
  math,
  str,
  ...typeHelpers,
};

function parseFilter(filter: unknown): unknown {
  return typeof filter === 'string' ? JSON.parse(filter) : filter;
}

export const extensions: Extensions = {
  evictFromApiCache(typeName, fieldName, keyValuePair) {
    currentInvocation().cacheEvictions.push({ typeName, fieldName, keyValuePair });
  },
  setSubscriptionFilter(filter) {
    currentInvocation().subscriptionFilter = parseFilter(filter);
  },
  setSubscriptionInvalidationFilter(filter) {
    currentInvocation().subscriptionInvalidationFilter = parseFilter(filter);
  },
  invalidateSubscriptions(invalidation) {
    currentInvocation().invalidations.push(invalidation);
  },
};

export const runtime = {
  earlyReturn(value?: unknown, returnOptions?: { skipTo: 'END' | 'NEXT' }): never {
    throw earlyReturnSignal(value, returnOptions?.skipTo);
  },
};
