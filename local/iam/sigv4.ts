/**
 * Verifies AWS Signature Version 4 on incoming requests, header or presigned
 * form, the way AWS services do. The canonical request and string to sign
 * come from @smithy/signature-v4 (the code the AWS SDK signs with), fed with
 * exactly what the client listed as signed. Session keys (a function's role
 * credentials) are accepted only with their session token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
// escapeUri: AWS's UriEncode (all but A-Z a-z 0-9 - _ . ~ percent-encoded), as SignatureV4 itself encodes with it.
import { escapeUri } from '@smithy/core/protocols';
import { getCanonicalHeaders, SignatureV4Base } from '@smithy/signature-v4';
import type { HeaderBag, HttpRequest, QueryParameterBag } from '@smithy/types';
import { NodeSha256 } from '../../api/node-sha256.ts';
import type { CredentialStore, LocalCredentials } from './credentials.ts';
import { SigningKeyCache } from './signing-key-cache.ts';
import {
  parseRequestTarget,
  parseSignature,
  sigV4Algorithm,
  type ParsedSignature,
  type QueryParameter,
  type RequestTarget,
} from './sigv4-parse.ts';

export interface IncomingSignedRequest {
  readonly method: string;
  /** Raw request target: path plus query string, exactly as received (e.g. req.url). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** sha256 hex of the body, or 'UNSIGNED-PAYLOAD'; when omitted the x-amz-content-sha256 header (or UNSIGNED-PAYLOAD for presigned) is trusted. */
  readonly payloadHash?: string;
}

export interface VerifyOptions {
  readonly credentials: CredentialStore;
  readonly service: string;
  readonly region: string;
  readonly now?: Date;
  /** S3 signs the path without double-encoding. */
  readonly uriEscapePath?: boolean;
}

/** What AWS echoes back in its error bodies (S3 puts these in SignatureDoesNotMatch and expiry errors). */
export interface SigV4FailureDetail {
  readonly accessKeyId?: string;
  /** The session token the request carried (S3 echoes it in InvalidToken). */
  readonly token?: string;
  readonly presigned?: boolean;
  readonly signatureProvided?: string;
  readonly stringToSign?: string;
  readonly canonicalRequest?: string;
  readonly requestTime?: Date;
  readonly expiresAt?: Date;
  readonly serverTime?: Date;
  /** x-amz-* headers present but not signed. */
  readonly headersNotSigned?: readonly string[];
}

export type SigV4Failure = {
  readonly ok: false;
  readonly code:
    | 'MissingAuthenticationToken'
    | 'IncompleteSignature'
    | 'InvalidAccessKeyId'
    | 'InvalidToken'
    | 'SignatureDoesNotMatch'
    | 'AccessDenied'
    | 'RequestExpired'
    | 'RequestTimeTooSkewed';
  readonly message: string;
  readonly detail?: SigV4FailureDetail;
};
export type SigV4Success = {
  readonly ok: true;
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly presigned: boolean;
  /** for presigned requests */
  readonly expiresAt?: Date;
};

/** How far the header-form request time may be from the server's clock. */
export const maxClockSkewMs = 15 * 60 * 1000;
const unsignedPayload = 'UNSIGNED-PAYLOAD';
const emptyBodySha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Exposes the canonical request and string to sign that SignatureV4 builds internally. */
class CanonicalRequestBuilder extends SignatureV4Base {
  public constructor(service: string, region: string, uriEscapePath: boolean) {
    super({ service, region, uriEscapePath, sha256: NodeSha256, credentials: { accessKeyId: '', secretAccessKey: '' } });
  }
  public canonicalRequest(request: HttpRequest, canonicalHeaders: HeaderBag, payloadHash: string): string {
    return this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
  }
  public stringToSign(longDate: string, scope: string, canonicalRequest: string): Promise<string> {
    return this.createStringToSign(longDate, scope, canonicalRequest, sigV4Algorithm);
  }
}

/** Builders hold no request state: one per service, region and path escaping serves every request. */
const builders = new Map<string, CanonicalRequestBuilder>();
function builderFor(service: string, region: string, uriEscapePath: boolean): CanonicalRequestBuilder {
  const name = `${service}\n${region}\n${String(uriEscapePath)}`;
  let builder = builders.get(name);
  if (!builder) {
    builder = new CanonicalRequestBuilder(service, region, uriEscapePath);
    builders.set(name, builder);
  }
  return builder;
}

/** Derived signing keys, per credential (and its secret) and scope. */
const signingKeys = new SigningKeyCache();

/**
 * S3's canonical URI is the encoded object path, encoded once. Decoding and
 * re-encoding each segment accepts clients that leave safe characters bare.
 */
function s3CanonicalPath(rawPath: string): string | undefined {
  try {
    return rawPath
      .split('/')
      .map((segment) => escapeUri(decodeURIComponent(segment)))
      .join('/');
  } catch {
    return undefined;
  }
}

function queryBag(query: readonly QueryParameter[]): QueryParameterBag {
  const bag: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const { name, value } of query) {
    const seen = bag[name];
    bag[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return bag;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function signedHeaderBag(headers: IncomingHttpHeaders, signedHeaders: readonly string[]): HeaderBag {
  const bag: HeaderBag = {};
  for (const name of signedHeaders) bag[name] = headerValue(headers, name) ?? '';
  // signableHeaders lets through headers SignatureV4 would never sign itself (e.g. user-agent).
  return getCanonicalHeaders({ headers: bag } as HttpRequest, undefined, new Set(signedHeaders));
}

function payloadHashOf(request: IncomingSignedRequest, presigned: boolean, query: readonly QueryParameter[]): string {
  if (request.payloadHash !== undefined) return request.payloadHash;
  if (presigned) {
    // The S3 presigner hoists its x-amz-content-sha256 header into the query.
    return query.find((parameter) => parameter.name.toLowerCase() === 'x-amz-content-sha256')?.value ?? unsignedPayload;
  }
  const declared = headerValue(request.headers, 'x-amz-content-sha256');
  if (declared !== undefined) return declared;
  // Without a declared hash only a bodiless request can be checked.
  const length = headerValue(request.headers, 'content-length');
  const chunked = request.headers['transfer-encoding'] !== undefined;
  return !chunked && (length === undefined || length === '0') ? emptyBodySha256 : unsignedPayload;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

const fail = (code: SigV4Failure['code'], message: string, detail?: SigV4FailureDetail): SigV4Failure =>
  detail ? { ok: false, code, message, detail } : { ok: false, code, message };

/** Credential scope and signed host: checked before anything else. */
function checkScope(parsed: ParsedSignature, options: VerifyOptions): SigV4Failure | undefined {
  const { credential, presigned } = parsed;
  const where = presigned ? 'Error parsing the X-Amz-Credential parameter;' : 'The authorization header is malformed;';
  const malformed = (message: string) => fail('IncompleteSignature', message, { presigned, accessKeyId: credential.accessKeyId });
  if (credential.region !== options.region) {
    return malformed(`${where} the region '${credential.region}' is wrong; expecting '${options.region}'`);
  }
  if (credential.service !== options.service) {
    return malformed(`${where} incorrect service '${credential.service}'. This endpoint belongs to '${options.service}'.`);
  }
  if (credential.date !== parsed.longDate.slice(0, 8)) {
    return malformed(`${where} Invalid credential date. Date is not the same as X-Amz-Date.`);
  }
  if (!parsed.signedHeaders.includes('host')) {
    return malformed(`'Host' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  return undefined;
}

/**
 * The session token: session keys are known only with theirs (without it AWS does not know the key), and a
 * token that is not the key's, or any token with long-term keys, is refused. Presigned URLs carry it as
 * X-Amz-Security-Token, header-signed requests as x-amz-security-token.
 */
function checkSessionToken(
  parsed: ParsedSignature,
  target: RequestTarget,
  headers: IncomingHttpHeaders,
  secret: LocalCredentials,
): SigV4Failure | undefined {
  const { credential, presigned } = parsed;
  const token = presigned ? target.query.find((parameter) => parameter.name === 'X-Amz-Security-Token')?.value : headerValue(headers, 'x-amz-security-token');
  if (token === undefined || token === '') {
    if (secret.sessionToken === undefined) return undefined;
    return fail('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { accessKeyId: credential.accessKeyId, presigned });
  }
  if (secret.sessionToken !== undefined && constantTimeEqual(token, secret.sessionToken)) return undefined;
  return fail('InvalidToken', 'The provided token is malformed or otherwise invalid.', { accessKeyId: credential.accessKeyId, presigned, token });
}

/** Presigned URLs: within their validity window; header form: within 15 minutes of the server's clock. */
function checkClock(parsed: ParsedSignature, now: Date): SigV4Failure | undefined {
  const { credential, presigned } = parsed;
  const skewMs = parsed.requestTime.getTime() - now.getTime();
  if (presigned) {
    const expiresAt = new Date(parsed.requestTime.getTime() + (parsed.expiresInSeconds ?? 0) * 1000);
    const detail = { presigned, requestTime: parsed.requestTime, expiresAt, serverTime: now, accessKeyId: credential.accessKeyId };
    if (skewMs > maxClockSkewMs) return fail('AccessDenied', 'Request is not valid yet', detail);
    if (now.getTime() > expiresAt.getTime()) return fail('AccessDenied', 'Request has expired', detail);
  } else if (Math.abs(skewMs) > maxClockSkewMs) {
    return fail('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      presigned,
      requestTime: parsed.requestTime,
      serverTime: now,
    });
  }
  return undefined;
}

/** What a signature check knows before it reads the body: the parsed signature, its target and the signer's secret. */
interface CheckedHeaders {
  readonly ok: true;
  readonly target: RequestTarget;
  readonly parsed: ParsedSignature;
  readonly secret: LocalCredentials;
}

/** Every check but the signature itself: its form and scope, the key, its session token and the clock. */
function checkHeaders(request: Omit<IncomingSignedRequest, 'payloadHash'>, options: VerifyOptions): CheckedHeaders | SigV4Failure {
  const now = options.now ?? new Date();
  const target = parseRequestTarget(request.url);
  if (!target) return fail('IncompleteSignature', 'The request target could not be parsed.');
  const parseResult = parseSignature(request.headers, target);
  if (!parseResult.ok) return fail(parseResult.code, parseResult.message);
  const { parsed } = parseResult;
  const { credential, presigned } = parsed;

  const scopeFailure = checkScope(parsed, options);
  if (scopeFailure) return scopeFailure;

  const secret = options.credentials.lookup(credential.accessKeyId);
  if (!secret) {
    return fail('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
      accessKeyId: credential.accessKeyId,
      presigned,
    });
  }
  const tokenFailure = checkSessionToken(parsed, target, request.headers, secret);
  if (tokenFailure) return tokenFailure;
  const clockFailure = checkClock(parsed, now);
  if (clockFailure) return clockFailure;
  return { ok: true, target, parsed, secret };
}

/**
 * The failure verifySigV4 would answer whatever the body, found from the request line and headers alone (no
 * signature at all, a malformed one, a key the store does not know, a wrong token, an expired or skewed time),
 * or undefined when only the signature over the body can tell. Synchronous, so a service can refuse such a
 * request before it reads (and buffers) a byte of its body.
 */
export function sigV4FailureBeforeBody(request: Omit<IncomingSignedRequest, 'payloadHash'>, options: VerifyOptions): SigV4Failure | undefined {
  const checked = checkHeaders(request, options);
  return checked.ok ? undefined : checked;
}

export async function verifySigV4(request: IncomingSignedRequest, options: VerifyOptions): Promise<SigV4Success | SigV4Failure> {
  const uriEscapePath = options.uriEscapePath ?? true;
  const checked = checkHeaders(request, options);
  if (!checked.ok) return checked;
  const { target, parsed, secret } = checked;
  const { credential, presigned } = parsed;

  const path = uriEscapePath ? target.rawPath : s3CanonicalPath(target.rawPath);
  if (path === undefined) return fail('IncompleteSignature', 'The request path is not validly percent-encoded.');
  const builder = builderFor(options.service, options.region, uriEscapePath);
  const signedRequest = { method: request.method.toUpperCase(), path, query: queryBag(target.query), headers: {} } as unknown as HttpRequest;
  const canonicalRequest = builder.canonicalRequest(
    signedRequest,
    signedHeaderBag(request.headers, parsed.signedHeaders),
    payloadHashOf(request, presigned, target.query),
  );
  const stringToSign = await builder.stringToSign(parsed.longDate, credential.scope, canonicalRequest);
  const signingKey = await signingKeys.keyFor(secret, credential);
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');

  if (!constantTimeEqual(expected, parsed.signature)) {
    return fail(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { accessKeyId: credential.accessKeyId, presigned, signatureProvided: parsed.signature, stringToSign, canonicalRequest },
    );
  }
  const expiresAt = presigned ? new Date(parsed.requestTime.getTime() + (parsed.expiresInSeconds ?? 0) * 1000) : undefined;
  return {
    ok: true,
    accessKeyId: credential.accessKeyId,
    signedHeaders: parsed.signedHeaders,
    presigned,
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/** x-amz-* headers the client sent without signing them; S3 refuses such requests. */
export function unsignedAmzHeaders(headers: IncomingHttpHeaders, signedHeaders: readonly string[]): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('x-amz-') && !signedHeaders.includes(name));
}
