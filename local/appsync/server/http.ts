/**
 * The GraphQL endpoint over HTTPS: `POST <graphqlPath>` with a JSON body
 * `{ query, variables, operationName }`, as AppSync takes it. Auth comes
 * first (so a bad credential is a 401/403 whatever the body), decided from the
 * headers before a byte of the body is read wherever the body cannot change
 * the answer (every mode but a SigV4 signature's own check); then the body is
 * read, within the stack's shared body budget, idle timeout and minimum rate
 * (../../http-body.ts), as GraphQL, and the operation runs. CORS is open, as
 * on AppSync.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { type BodyPace, bodyPaceOf, closeOrDrain, declaredBodyFits, declaredLength, readHeldBody, type RequestBodyOptions, stackBodyBudget } from '../../http-body.ts';
import { clientWentAway, requestPathname, sourceAddress } from '../../http-boundary.ts';
import type { ResolverRuntime } from '../resolvers/index.ts';
import { authenticate, authenticateBeforeBody, type AuthSettings } from './auth.ts';
import { RequestErrors, requestErrorBody, type RequestError } from './errors.ts';
import { executeOperation, type ResolvedMutation } from './execute.ts';
import type { SubscriptionInvalidation } from './execution-context.ts';
import { graphQLRequestBody } from './request-body.ts';
import { rateLimitedRequest, type RateLimiter } from './rate-limit.ts';
import type { ServedSchema } from './schema.ts';
import { countAppSyncRequest } from '../../stack-usage.ts';

export interface GraphQLHandlerContext extends RequestBodyOptions {
  readonly served: ServedSchema;
  readonly runtime: ResolverRuntime;
  readonly auth: AuthSettings;
  readonly graphqlPath: string;
  /** Called with each mutation result to publish, before the mutation's response is sent. */
  readonly publish: (mutation: ResolvedMutation) => Promise<unknown>;
  /** Called with each invalidateSubscriptions of a successful mutation. */
  readonly invalidate: (invalidation: SubscriptionInvalidation) => void;
  readonly onInternalError?: (error: unknown, where: string) => void;
  /** A query's or mutation's deadline (request-deadline.ts); tests shorten it. @default AppSync's 30 s */
  readonly requestTimeoutMs?: number;
  /** The API's rate-based rule (rate-limit.ts), asked before anything else. @default none, as an API with no web ACL */
  readonly rateLimiter?: RateLimiter;
}

/**
 * AppSync's request size limit is about 1 MB; a larger body is refused before parsing, and read no further. (The
 * quotas page gives no exact figure; EventBridge's AppSync target takes an operation of at most 1,048,576
 * characters, the same bound.)
 */
export const maxRequestBodyBytes = 1024 * 1024;

/**
 * A body the stack cannot hold now (the shared budget is spent): refused unread. AppSync documents no answer for
 * this (it has no such budget; its throttling is per account); a 429 TooManyRequestsException in its
 * request-error shape is what a throttled AWS front end answers, and clients retry it.
 */
const bodyOverBudget = (): RequestError => ({ status: 429, errorType: 'TooManyRequestsException', message: 'Rate exceeded' });

/** A body refused as it arrives (too large, over the budget), with the answer to send. */
class RefusedBody extends Error {
  public constructor(public readonly answer: RequestError) {
    super(answer.message);
    this.name = 'RefusedBody';
  }
}

const corsHeaders = (request: IncomingMessage): Record<string, string> => ({
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers':
    request.headers['access-control-request-headers'] ??
    'authorization, content-type, x-amz-date, x-amz-security-token, x-amz-user-agent, x-api-key',
  'access-control-expose-headers': 'x-amzn-requestid, x-amzn-errortype',
  'access-control-max-age': '86400',
});

function sendJson(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: unknown,
  errorType?: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...extraHeaders,
    ...corsHeaders(request),
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(text);
}

/** A request-level error in AppSync's shape (also the error boundary's 500, in index.ts). */
export const sendError = (request: IncomingMessage, response: ServerResponse, error: RequestError) =>
  sendJson(request, response, error.status, requestErrorBody(error), error.errorType);

/**
 * Answers a request whose body was not read (to its end): the connection is closed after, unless what is left is
 * short enough to drain. (A GET has no body: by the time this handler runs, after the user pool's routes were
 * asked, Node has seen it end, and its connection is kept.)
 */
function refuseUnread(request: IncomingMessage, response: ServerResponse, error: RequestError, pace: BodyPace): void {
  closeOrDrain(request, response, maxRequestBodyBytes, pace);
  sendError(request, response, error);
}

/** Request headers as resolvers see them in `ctx.request.headers`. */
export const plainHeaders = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(',') : value]])),
  );

export function graphQLRequestHandler(context: GraphQLHandlerContext) {
  // The body's idle timeout and minimum rate (while the budget is under pressure), for bodies read and drained alike.
  const pace = bodyPaceOf(context);
  const budget = context.bodyBudget ?? stackBodyBudget;
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      // WAF sees every request to the API's endpoint before AppSync does: a block is answered before any other check.
      if (context.rateLimiter && !context.rateLimiter.admit(sourceAddress(request), rateLimitedRequest(request))) {
        return refuseUnread(request, response, RequestErrors.wafBlocked(), pace);
      }
      // undefined for targets that are not a plain path (`//[`): not the GraphQL path, so a 404.
      const pathname = requestPathname(request);
      if (request.method === 'OPTIONS') {
        response.writeHead(200, corsHeaders(request));
        response.end();
        return;
      }
      if (pathname !== context.graphqlPath) return refuseUnread(request, response, RequestErrors.notFound(), pace);
      if (request.method !== 'POST') return refuseUnread(request, response, RequestErrors.methodNotAllowed(), pace);

      // What the body cannot change is answered before a byte of it is read (and buffered): else a client with no
      // credential at all holds up to 1 MiB of the stack's memory a connection, for as long as it trickles it.
      const headersOnly = { method: request.method, url: request.url ?? context.graphqlPath, headers: request.headers, sourceIp: sourceAddress(request) };
      const early = authenticateBeforeBody(headersOnly, context.auth);
      if (early?.ok === false) return refuseUnread(request, response, early.error, pace);
      if ((declaredLength(request) ?? 0) > maxRequestBodyBytes) return refuseUnread(request, response, RequestErrors.bodyTooLarge(maxRequestBodyBytes), pace);
      if (!declaredBodyFits(budget, request, maxRequestBodyBytes)) return refuseUnread(request, response, bodyOverBudget(), pace);

      let body: string;
      try {
        const bytes = await readHeldBody(request, response, {
          maxBytes: maxRequestBodyBytes,
          tooLarge: () => new RefusedBody(RequestErrors.bodyTooLarge(maxRequestBodyBytes)),
          ...pace,
          budget,
          overBudget: () => new RefusedBody(bodyOverBudget()),
        });
        body = bytes.toString('utf8');
      } catch (error) {
        if (error instanceof RefusedBody) return refuseUnread(request, response, error.answer, pace);
        throw error;
      }

      const auth = early ?? (await authenticate({ ...headersOnly, body }, context.auth));
      if (!auth.ok) return sendError(request, response, auth.error);
      countAppSyncRequest();

      if (body.trim() === '') return sendError(request, response, RequestErrors.emptyBody());
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return sendError(request, response, RequestErrors.unparsableQuery());
      }
      const graphQLBody = graphQLRequestBody(json);
      if (!graphQLBody) return sendError(request, response, RequestErrors.unparsableQuery());

      const outcome = await executeOperation({
        served: context.served,
        runtime: context.runtime,
        caller: auth.caller,
        body: graphQLBody,
        request: { headers: plainHeaders(request.headers), domainName: null },
        onInternalError: context.onInternalError,
        requestTimeoutMs: context.requestTimeoutMs,
      });
      for (const mutation of outcome.resolvedMutations) {
        await context.publish(mutation).catch((error: unknown) => context.onInternalError?.(error, `publish ${mutation.fieldName}`));
      }
      for (const invalidation of outcome.invalidations) context.invalidate(invalidation);
      sendJson(request, response, 200, outcome.response, undefined, outcome.responseHeaders);
    } catch (error) {
      if (clientWentAway(response, error)) return;
      context.onInternalError?.(error, `${request.method} ${request.url}`);
      if (!response.headersSent) sendError(request, response, RequestErrors.internal());
      else response.destroy();
    }
  };
}
