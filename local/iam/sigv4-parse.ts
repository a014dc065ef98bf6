/**
 * Reads the SigV4 authentication parameters out of an incoming request, in
 * either form AWS accepts: the `Authorization` header, or the presigned
 * `X-Amz-*` query parameters. Only parsing and shape checks happen here; the
 * signature itself is checked in sigv4.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const sigV4Algorithm = 'AWS4-HMAC-SHA256';
/** AWS refuses presigned URLs valid for longer than a week. */
export const maxPresignedExpirySeconds = 604_800;

/** One decoded query parameter, in the order received. */
export interface QueryParameter {
  readonly name: string;
  readonly value: string;
}

export interface RequestTarget {
  /** Path as received, still percent-encoded. */
  readonly rawPath: string;
  readonly query: readonly QueryParameter[];
}

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** `date/region/service/aws4_request`, as signed. */
  readonly scope: string;
}

export interface ParsedSignature {
  readonly presigned: boolean;
  readonly credential: CredentialScope;
  /** Lower-case names, in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** `yyyyMMddTHHmmssZ`, as it appears in the string to sign. */
  readonly longDate: string;
  readonly requestTime: Date;
  /** Presigned only: X-Amz-Expires in seconds. */
  readonly expiresInSeconds?: number;
}

export type ParseResult =
  | { readonly ok: true; readonly parsed: ParsedSignature }
  | { readonly ok: false; readonly code: 'MissingAuthenticationToken' | 'IncompleteSignature'; readonly message: string };

const incomplete = (message: string): ParseResult => ({ ok: false, code: 'IncompleteSignature', message });

/**
 * A raw request target in origin-form (`/path?query`), nothing re-encoded or normalized: an absolute-form one
 * (`http://host/path?q`, as proxies send it) without its scheme and authority, any fragment dropped; undefined for
 * any other form. What the signature covers, so what every other reader of the target must read too.
 */
export function originFormOf(url: string): string | undefined {
  let target = url;
  if (!target.startsWith('/')) {
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(target);
    if (!match) return undefined;
    target = match[1].startsWith('/') ? match[1] : `/${match[1]}`;
  }
  const hashAt = target.indexOf('#');
  return hashAt >= 0 ? target.slice(0, hashAt) : target;
}

/** Splits a raw request target (`/path?query`, or absolute-form) without re-encoding anything. */
export function parseRequestTarget(url: string): RequestTarget | undefined {
  const target = originFormOf(url);
  if (target === undefined) return undefined;
  const queryAt = target.indexOf('?');
  const rawPath = queryAt >= 0 ? target.slice(0, queryAt) : target;
  const rawQuery = queryAt >= 0 ? target.slice(queryAt + 1) : '';
  const query: QueryParameter[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const equalsAt = pair.indexOf('=');
    const rawName = equalsAt >= 0 ? pair.slice(0, equalsAt) : pair;
    const rawValue = equalsAt >= 0 ? pair.slice(equalsAt + 1) : '';
    try {
      query.push({ name: decodeURIComponent(rawName), value: decodeURIComponent(rawValue) });
    } catch {
      return undefined;
    }
  }
  return { rawPath, query };
}

/** Parses `yyyyMMddTHHmmssZ`. */
export function parseLongDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Reject rolled-over dates such as 20240231.
  return date.getUTCDate() === day && date.getUTCMonth() === month - 1 ? date : undefined;
}

export function formatLongDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function parseCredential(value: string): CredentialScope | string {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((part) => part === '')) {
    return `Credential should be scoped to a valid region, service and date: '${value}'.`;
  }
  const [accessKeyId, date, region, service, terminator] = parts;
  if (terminator !== 'aws4_request') return `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`;
  if (!/^\d{8}$/.test(date)) return `Invalid credential date '${date}'.`;
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/${terminator}` };
}

function parseSignedHeaders(value: string): string[] {
  return value.split(';').filter((name) => name !== '');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const queryNames = {
  algorithm: 'X-Amz-Algorithm',
  credential: 'X-Amz-Credential',
  date: 'X-Amz-Date',
  expires: 'X-Amz-Expires',
  signedHeaders: 'X-Amz-SignedHeaders',
  signature: 'X-Amz-Signature',
} as const;

/** The presigned form's authentication parameters: each may appear once. */
const presignedAuthParameters = [...Object.values(queryNames), 'X-Amz-Security-Token'];

/**
 * The first authentication parameter a presigned query holds more than once (its name in any case, as SignatureV4
 * leaves `x-amz-signature` out of the canonical query whatever its case), as received; undefined when none is.
 * AWS documents nothing for a duplicated one: refusing it, rather than reading its first value, is a judgement, so
 * that `&X-Amz-Signature=00` appended to a valid URL is not accepted.
 */
function duplicatedAuthParameter(query: readonly QueryParameter[]): string | undefined {
  const authNames = new Set(presignedAuthParameters.map((name) => name.toLowerCase()));
  const seen = new Set<string>();
  for (const { name } of query) {
    const lower = name.toLowerCase();
    if (!authNames.has(lower)) continue;
    if (seen.has(lower)) return name;
    seen.add(lower);
  }
  return undefined;
}

function parsePresigned(query: readonly QueryParameter[]): ParseResult {
  const duplicated = duplicatedAuthParameter(query);
  if (duplicated !== undefined) return incomplete(`Query-string authentication allows each parameter once; ${duplicated} is given more than once.`);
  const single = (name: string) => query.find((parameter) => parameter.name === name)?.value;
  const algorithm = single(queryNames.algorithm);
  if (algorithm !== sigV4Algorithm) {
    return incomplete(`X-Amz-Algorithm only supports "${sigV4Algorithm}"`);
  }
  const missing = Object.values(queryNames).filter((name) => single(name) === undefined);
  if (missing.length > 0) {
    return incomplete(`Query-string authentication version 4 requires the ${Object.values(queryNames).join(', ')} parameters.`);
  }
  const credential = parseCredential(single(queryNames.credential)!);
  if (typeof credential === 'string') return incomplete(`Error parsing the X-Amz-Credential parameter; ${credential}`);
  const longDate = single(queryNames.date)!;
  const requestTime = parseLongDate(longDate);
  if (!requestTime) return incomplete(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const expiresText = single(queryNames.expires)!;
  const expiresInSeconds = /^-?\d+$/.test(expiresText) ? Number(expiresText) : Number.NaN;
  if (!Number.isInteger(expiresInSeconds)) return incomplete('X-Amz-Expires should be a number');
  if (expiresInSeconds <= 0) return incomplete('X-Amz-Expires must be non-negative');
  if (expiresInSeconds > maxPresignedExpirySeconds) {
    return incomplete(`X-Amz-Expires must be less than a week (in seconds) that is ${maxPresignedExpirySeconds}`);
  }
  return {
    ok: true,
    parsed: {
      presigned: true,
      credential,
      signedHeaders: parseSignedHeaders(single(queryNames.signedHeaders)!),
      signature: single(queryNames.signature)!,
      longDate,
      requestTime,
      expiresInSeconds,
    },
  };
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` */
function parseAuthorizationHeader(authorization: string, headers: IncomingHttpHeaders): ParseResult {
  const spaceAt = authorization.indexOf(' ');
  const algorithm = spaceAt >= 0 ? authorization.slice(0, spaceAt) : authorization;
  if (algorithm !== sigV4Algorithm) {
    return incomplete(`The authorization mechanism you have provided is not supported. Please use ${sigV4Algorithm}.`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(spaceAt + 1).split(',')) {
    const trimmed = part.trim();
    const equalsAt = trimmed.indexOf('=');
    if (equalsAt <= 0) return incomplete(`Authorization header requires each component to be of the form key=value: '${trimmed}'.`);
    fields.set(trimmed.slice(0, equalsAt), trimmed.slice(equalsAt + 1));
  }
  const credentialText = fields.get('Credential');
  const signedHeadersText = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credentialText === undefined || signedHeadersText === undefined || signature === undefined) {
    const absent = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.has(name));
    return incomplete(`Authorization header requires '${absent.join("', '")}' parameter(s). Authorization=${authorization}`);
  }
  const credential = parseCredential(credentialText);
  if (typeof credential === 'string') return incomplete(`The authorization header is malformed; ${credential}`);

  // x-amz-date wins over Date, and is what goes into the string to sign.
  const amzDate = headerValue(headers, 'x-amz-date');
  let longDate: string;
  let requestTime: Date | undefined;
  if (amzDate !== undefined) {
    longDate = amzDate;
    requestTime = parseLongDate(amzDate);
  } else {
    const date = headerValue(headers, 'date');
    const parsed = date === undefined ? Number.NaN : Date.parse(date);
    requestTime = Number.isNaN(parsed) ? undefined : new Date(parsed);
    longDate = requestTime ? formatLongDate(requestTime) : '';
  }
  if (!requestTime) return incomplete('AWS authentication requires a valid Date or x-amz-date header');
  return {
    ok: true,
    parsed: { presigned: false, credential, signedHeaders: parseSignedHeaders(signedHeadersText), signature, longDate, requestTime },
  };
}

/** Finds the authentication in a request: header form, presigned form, or neither. */
export function parseSignature(headers: IncomingHttpHeaders, target: RequestTarget): ParseResult {
  const authorization = headerValue(headers, 'authorization');
  const presigned = target.query.some((parameter) => parameter.name === queryNames.algorithm);
  if (authorization !== undefined && presigned) {
    return incomplete('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified');
  }
  if (authorization !== undefined) return parseAuthorizationHeader(authorization.trim(), headers);
  if (presigned) return parsePresigned(target.query);
  return { ok: false, code: 'MissingAuthenticationToken', message: 'Missing Authentication Token' };
}
