/**
 * The local user pool's Cognito Identity Provider API over HTTPS, served beside local AppSync at
 * `<origin>/cognito-idp` (the path an app puts in Amplify's `Auth.Cognito.userPoolEndpoint`, or an SDK
 * client's `endpoint`: both keep it): POST with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` and a
 * JSON 1.1 body, answered with JSON or Cognito's error shape `{ "__type", "message" }` (the type also in
 * `x-amzn-ErrorType`). The operations are ./user-pool-api.ts's. As on Cognito they take no signature: the client id
 * is the only credential. Each request is first charged to its quota category (./request-quota.ts), before its
 * body is read; the body is read within 64 KiB and the stack's shared body budget (../http-body.ts).
 * Browsers get CORS, as from Cognito, so a web app on another origin can sign in.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyPaceOf, closeOrDrain, declaredBodyFits, declaredLength, readHeldBody, stackBodyBudget, type RequestBodyOptions } from '../http-body.ts';
import { requestPathname } from '../http-boundary.ts';
import { RequestQuota } from './request-quota.ts';
import { CognitoApiError, RefusedBody, tooManyRequests } from './errors.ts';
import { operationCategory, type UserPoolApi } from './user-pool-api.ts';

/** Where the API is served on the AppSync listener. */
export const identityProviderPath = '/cognito-idp';

/** The largest request body read: well above the largest Amplify sends (a RespondToAuthChallenge, ~2 KB). Cognito documents none. */
export const maxIdentityProviderBodyBytes = 64 * 1024;

const targetPrefix = 'AWSCognitoIdentityProviderService.';

export interface IdentityProviderOptions extends RequestBodyOptions {
  readonly service: UserPoolApi;
  /** Test hook: other rates or clock. @default Cognito's default rates */
  readonly quota?: RequestQuota;
}

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type, x-amz-target, x-amz-user-agent, cache-control, authorization, amz-sdk-invocation-id, amz-sdk-request',
  'access-control-expose-headers': 'x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage',
  'access-control-max-age': '86400',
};

function send(response: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...corsHeaders,
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  response.end(text);
}

/** Cognito's error answer: 400 for every client error (as Cognito sends them), 500 for its own. */
export function sendCognitoError(response: ServerResponse, error: CognitoApiError): void {
  send(response, error.status, { __type: error.type, message: error.message }, { 'x-amzn-errortype': error.type });
}

/** InternalErrorException with no detail: what the error boundary answers on this path. */
export const sendInternalError = (response: ServerResponse) =>
  sendCognitoError(response, new CognitoApiError('InternalErrorException', 'An internal error occurred.', 500));

const tooLarge = () =>
  new CognitoApiError('SerializationException', `The request body must be at most ${maxIdentityProviderBodyBytes} bytes.`, 413);

/** Whether `request` is for the API (its path), whatever its method. */
export const isIdentityProviderRequest = (request: IncomingMessage): boolean => {
  const pathname = requestPathname(request);
  return pathname === identityProviderPath || pathname === `${identityProviderPath}/`;
};

/** Serves one request known to be for the API (isIdentityProviderRequest). */
export function identityProviderHandler(options: IdentityProviderOptions) {
  const quota = options.quota ?? new RequestQuota();
  const budget = options.bodyBudget ?? stackBodyBudget;
  const pace = bodyPaceOf(options);
  const refuse = (request: IncomingMessage, response: ServerResponse, error: CognitoApiError) => {
    closeOrDrain(request, response, maxIdentityProviderBodyBytes, pace);
    sendCognitoError(response, error);
  };
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method === 'OPTIONS') {
      // The headers the browser asks for are allowed: an app may add its own (Amplify's libraryOptions.Auth.headers).
      const asked = request.headers['access-control-request-headers'];
      response.writeHead(200, { ...corsHeaders, ...(asked ? { 'access-control-allow-headers': asked } : {}) }).end();
      return;
    }
    if (request.method !== 'POST') return refuse(request, response, new CognitoApiError('UnknownOperationException', 'Use POST.', 405));
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : undefined;
    if (operation === undefined || !options.service.serves(operation)) {
      const named = operation === undefined ? 'The request has no AWSCognitoIdentityProviderService X-Amz-Target.' : `The local user pool does not serve ${operation.slice(0, 64)}.`;
      return refuse(request, response, new CognitoApiError('UnknownOperationException', named));
    }
    // Charged before the body is read, so a flood costs neither memory nor SRP arithmetic.
    if (!quota.take(operationCategory[operation])) return refuse(request, response, tooManyRequests());
    if ((declaredLength(request) ?? 0) > maxIdentityProviderBodyBytes) return refuse(request, response, tooLarge());
    if (!declaredBodyFits(budget, request, maxIdentityProviderBodyBytes)) return refuse(request, response, tooManyRequests());
    let bytes: Buffer;
    try {
      bytes = await readHeldBody(request, response, {
        maxBytes: maxIdentityProviderBodyBytes,
        tooLarge: () => new RefusedBody(tooLarge()),
        ...pace,
        budget,
        overBudget: () => new RefusedBody(tooManyRequests()),
      });
    } catch (error) {
      if (error instanceof RefusedBody) return refuse(request, response, error.answer);
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendCognitoError(response, new CognitoApiError('SerializationException', 'The request body is not a JSON object.'));
    }
    try {
      send(response, 200, options.service.call(operation, body as Record<string, unknown>));
    } catch (error) {
      if (!(error instanceof CognitoApiError)) throw error;
      sendCognitoError(response, error);
    }
  };
}
