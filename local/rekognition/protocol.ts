/**
 * Rekognition's wire protocol, AWS JSON 1.1: `POST /` with
 * `X-Amz-Target: RekognitionService.<Operation>`, a JSON body and SigV4
 * (service `rekognition`); JSON answers, errors as `{"__type","Message"}`
 * with an `x-amzn-ErrorType` header.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyBudget, type BodyPace, declaredBodyFits, readHeldBody } from '../http-body.ts';
import type { CredentialStore } from '../iam/credentials.ts';
import { signatureErrorOf } from '../iam/json-service-errors.ts';
import { sigV4FailureBeforeBody, verifySigV4, type SigV4Failure } from '../iam/sigv4.ts';
import { RekognitionError, RekognitionErrorCode } from './errors.ts';

export const targetPrefix = 'RekognitionService.';
export const jsonContentType = 'application/x-amz-json-1.1';
export const signingName = 'rekognition';

/**
 * Largest request body read: a 5 MB image is ~7 MB as base64; past this
 * nothing valid can follow.
 */
export const maxRequestBytes = 8 * 1024 * 1024;

export interface ParsedRequest {
  /** Who signed it: the key whose principal is authorized (index.ts). */
  readonly accessKeyId: string;
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

export const newRequestId = (): string => randomUUID();

/**
 * Rekognition's answer when the stack is already buffering as many request bytes as it will (http-body.ts's
 * budget): its ThrottlingException, as for calls over the TPS quota.
 */
const tooManyBytes = () => new RekognitionError(RekognitionErrorCode.throttling, 'Rate exceeded');

/**
 * Verifies the signature and parses the target and JSON input, reading the body only for a request whose
 * headers could pass (what is refused whatever its body is refused unread), its bytes charged to `budget` as they
 * arrive.
 */
export async function parseRequest(
  request: IncomingMessage,
  response: ServerResponse,
  auth: { readonly credentials: CredentialStore; readonly region: string; readonly budget: BodyBudget; readonly pace: BodyPace },
): Promise<ParsedRequest> {
  const signed = { credentials: auth.credentials, service: signingName, region: auth.region };
  const headerFailure = sigV4FailureBeforeBody({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers }, signed);
  if (headerFailure) throw signatureError(headerFailure);
  if (!declaredBodyFits(auth.budget, request, maxRequestBytes)) throw tooManyBytes();
  const body = await readHeldBody(request, response, {
    maxBytes: maxRequestBytes,
    tooLarge: () => new RekognitionError(RekognitionErrorCode.imageTooLarge, 'Request size is too large.'),
    budget: auth.budget,
    overBudget: tooManyBytes,
    ...auth.pace,
  });
  const verdict = await verifySigV4(
    { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, payloadHash: createHash('sha256').update(body).digest('hex') },
    signed,
  );
  if (!verdict.ok) throw signatureError(verdict);

  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(targetPrefix)) {
    throw new RekognitionError(RekognitionErrorCode.unknownOperation, '');
  }
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RekognitionError(RekognitionErrorCode.serialization, 'Start of structure or map found where not expected.', { cause: error });
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new RekognitionError(RekognitionErrorCode.serialization, 'Start of list found where not expected');
  }
  return { accessKeyId: verdict.accessKeyId, operation: target.slice(targetPrefix.length), input: input as Record<string, unknown> };
}

/** JSON services answer signature problems with these codes (not S3's); Rekognition with HTTP 400. */
function signatureError(failure: SigV4Failure): RekognitionError {
  const { code, message } = signatureErrorOf(failure);
  return new RekognitionError(code, message);
}

export function sendResult(response: ServerResponse, requestId: string, output: unknown): void {
  send(response, 200, requestId, output, {});
}

export function sendError(response: ServerResponse, requestId: string, error: RekognitionError): void {
  send(response, error.statusCode, requestId, error.body(requestId), { 'x-amzn-ErrorType': error.code });
}

function send(response: ServerResponse, status: number, requestId: string, body: unknown, headers: Record<string, string>): void {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'Content-Type': jsonContentType,
    'Content-Length': String(payload.length),
    'x-amzn-RequestId': requestId,
    ...headers,
  });
  response.end(payload);
}
