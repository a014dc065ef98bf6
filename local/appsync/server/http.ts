/**
 * The GraphQL endpoint over HTTPS: `POST <graphqlPath>` with a JSON body
 * `{ query, variables, operationName }`, as AppSync takes it. Auth comes
 * first (so a bad credential is a 401/403 whatever the body), then the body
 * is read as GraphQL, then the operation runs. CORS is open, as on AppSync.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { clientWentAway, requestPathname } from '../../http-boundary.ts';
import type { ResolverRuntime } from '../resolvers/index.ts';
import { authenticate, type AuthSettings } from './auth.ts';
import { RequestErrors, requestErrorBody, type RequestError } from './errors.ts';
import { executeOperation, type ResolvedMutation } from './execute.ts';
import type { SubscriptionInvalidation } from './execution-context.ts';
import { graphQLRequestBody } from './request-body.ts';
import type { ServedSchema } from './schema.ts';
import { countAppSyncRequest } from '../../stack-usage.ts';

export interface GraphQLHandlerContext {
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
}

/** AppSync's request size limit is about 1 MB; a larger body is refused before parsing. */
export const maxRequestBodyBytes = 1024 * 1024;

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

/** The body as text, or undefined when it is larger than the limit. */
function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Request headers as resolvers see them in `ctx.request.headers`. */
export const plainHeaders = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(',') : value]])),
  );

export function graphQLRequestHandler(context: GraphQLHandlerContext) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      // undefined for targets that are not a plain path (`//[`): not the GraphQL path, so a 404.
      const pathname = requestPathname(request);
      if (request.method === 'OPTIONS') {
        response.writeHead(200, corsHeaders(request));
        response.end();
        return;
      }
      if (pathname !== context.graphqlPath) return sendError(request, response, RequestErrors.notFound());
      if (request.method !== 'POST') return sendError(request, response, RequestErrors.methodNotAllowed());

      const body = await readBody(request, maxRequestBodyBytes);
      if (body === undefined) return sendError(request, response, RequestErrors.bodyTooLarge(maxRequestBodyBytes));

      const auth = await authenticate(
        { method: request.method, url: request.url ?? context.graphqlPath, headers: request.headers, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
        context.auth,
      );
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
