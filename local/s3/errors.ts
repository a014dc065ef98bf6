/**
 * Amazon S3's errors, as S3 sends them: an HTTP status, and an XML body
 * `<Error><Code/><Message/>…detail…<RequestId/><HostId/></Error>`.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SigV4Failure } from '../iam/sigv4.ts';

/** The S3 error codes this front produces, with their HTTP status. */
export const S3ErrorStatus = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidRequest: 400,
  InvalidToken: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MissingContentLength: 411,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  RequestTimeout: 400,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof S3ErrorStatus;

export interface S3Error {
  readonly code: S3ErrorCode;
  readonly message: string;
  /** Extra elements S3 puts between Message and RequestId, in order. */
  readonly detail?: readonly (readonly [string, string])[];
}

export const s3Error = (code: S3ErrorCode, message: string, detail?: S3Error['detail']): S3Error =>
  detail ? { code, message, detail } : { code, message };

/** Text as XML element content or attribute value: the five characters XML reserves, as entities. */
export const escapeXml = (value: string) =>
  value.replace(/[<>&'"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char]!);

const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;

export interface RequestIds {
  readonly requestId: string;
  readonly hostId: string;
}

export function newRequestIds(): RequestIds {
  return { requestId: randomBytes(8).toString('hex').toUpperCase(), hostId: randomBytes(48).toString('base64') };
}

export function renderS3Error(error: S3Error, ids: RequestIds): string {
  const detail = (error.detail ?? []).map(([name, value]) => element(name, value)).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error>${element('Code', error.code)}${element('Message', error.message)}${detail}` +
    `${element('RequestId', ids.requestId)}${element('HostId', ids.hostId)}</Error>`
  );
}

/** Writes the error; HEAD responses carry the status only, as S3's do. */
export function sendS3Error(res: ServerResponse, method: string, error: S3Error, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const ids = newRequestIds();
  const body = method === 'HEAD' ? '' : renderS3Error(error, ids);
  res.writeHead(S3ErrorStatus[error.code], {
    ...extraHeaders,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': ids.requestId,
    'x-amz-id-2': ids.hostId,
    // The rest of the body is not read; do not let the client reuse the connection.
    connection: 'close',
  });
  res.end(body);
}

/** S3 timestamps in error details: ISO 8601 without milliseconds. */
const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const hexBytes = (text: string) => Buffer.from(text, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 ');

/** Maps a SigV4 verification failure to the error S3 answers with. */
export function s3ErrorForSignature(failure: SigV4Failure): S3Error {
  const detail = failure.detail;
  switch (failure.code) {
    case 'MissingAuthenticationToken':
      return s3Error('AccessDenied', 'Access Denied');
    case 'InvalidAccessKeyId':
      return s3Error('InvalidAccessKeyId', failure.message, [['AWSAccessKeyId', detail?.accessKeyId ?? '']]);
    case 'InvalidToken':
      return s3Error('InvalidToken', failure.message, [['Token-0', detail?.token ?? '']]);
    case 'SignatureDoesNotMatch':
      return s3Error('SignatureDoesNotMatch', failure.message, [
        ['AWSAccessKeyId', detail?.accessKeyId ?? ''],
        ['StringToSign', detail?.stringToSign ?? ''],
        ['SignatureProvided', detail?.signatureProvided ?? ''],
        ['StringToSignBytes', hexBytes(detail?.stringToSign ?? '')],
        ['CanonicalRequest', detail?.canonicalRequest ?? ''],
        ['CanonicalRequestBytes', hexBytes(detail?.canonicalRequest ?? '')],
      ]);
    case 'RequestTimeTooSkewed':
      return s3Error('RequestTimeTooSkewed', failure.message, [
        ['RequestTime', detail?.requestTime ? isoSeconds(detail.requestTime) : ''],
        ['ServerTime', isoSeconds(detail?.serverTime ?? new Date())],
        ['MaxAllowedSkewMilliseconds', '900000'],
      ]);
    case 'AccessDenied':
    case 'RequestExpired': {
      if (detail?.expiresAt && detail.requestTime && failure.message === 'Request has expired') {
        const expiresIn = Math.round((detail.expiresAt.getTime() - detail.requestTime.getTime()) / 1000);
        return s3Error('AccessDenied', 'Request has expired', [
          ['X-Amz-Expires', String(expiresIn)],
          ['Expires', isoSeconds(detail.expiresAt)],
          ['ServerTime', isoSeconds(detail.serverTime ?? new Date())],
        ]);
      }
      return s3Error('AccessDenied', failure.message, detail?.serverTime ? [['ServerTime', isoSeconds(detail.serverTime)]] : undefined);
    }
    case 'IncompleteSignature': {
      if (failure.message.startsWith('Only one auth mechanism')) return s3Error('InvalidArgument', failure.message);
      if (failure.message.startsWith('AWS authentication requires')) return s3Error('AccessDenied', failure.message);
      if (failure.message.startsWith('The authorization mechanism')) return s3Error('InvalidRequest', failure.message);
      return detail?.presigned || /X-Amz-|query/i.test(failure.message)
        ? s3Error('AuthorizationQueryParametersError', failure.message)
        : s3Error('AuthorizationHeaderMalformed', failure.message);
    }
  }
}
