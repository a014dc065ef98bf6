/**
 * The local Lambda API's Invoke operation, so a user invokes the stack's
 * functions as on AWS: `new LambdaClient({ endpoint })` and `InvokeCommand`
 * (or `aws lambda invoke --endpoint-url`). SigV4-verified (service `lambda`)
 * against the local account, then `lambda:InvokeFunction` on the function's
 * ARN checked against the signer's policy (AccessDeniedException, 403). RequestResponse answers the function's result,
 * or 200 with `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage,
 * trace}` when it throws; Event returns 202 at once and goes through the
 * runtime's retries and on-failure destination; DryRun returns 204.
 * Not served: other operations, versions and aliases, `LogType: Tail` logs.
 *
 * @example
 * const api = await startLocalLambdaApi({ port: 0, region, credentials, runtime, functions: ['reconciler'] });
 * await new LambdaClient({ endpoint: api.endpoint, region, credentials: keyPair })
 *   .send(new InvokeCommand({ FunctionName: 'reconciler', Payload: JSON.stringify(event) }));
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { bodyPaceOf, closeOrDrain, declaredBodyFits, readHeldBody, type RequestBodyOptions, stackBodyBudget } from '../http-body.ts';
import type { CredentialStore } from '../iam/credentials.ts';
import { deniedMessage, localAccountId, principalFor, type PrincipalDirectory } from '../iam/principals.ts';
import { signatureErrorOf } from '../iam/json-service-errors.ts';
import { sigV4FailureBeforeBody, verifySigV4 } from '../iam/sigv4.ts';
import { closeServer, guardRequests, guardServer, requestPathname } from '../http-boundary.ts';
import { listen } from '../listen.ts';
import { FunctionError, LambdaApiError, LambdaErrorCode } from './errors.ts';
import {
  functionArn,
  InvocationType,
  invocationTypeOf,
  maxPayloadBytes,
  parseInvokePath,
  parsePayload,
  resolveFunction,
} from './invoke-request.ts';

export const signingName = 'lambda';

/** What the API needs of the runtime (runtime.ts's LambdaRuntime has it). */
export interface InvokableFunctions<Name extends string> {
  invoke(name: Name, event: unknown): Promise<unknown>;
  invokeAsync(name: Name, event: unknown): Promise<void>;
}

export interface LocalLambdaApiOptions<Name extends string> extends RequestBodyOptions {
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly region: string;
  /** The key pairs Lambda accepts; a PrincipalDirectory also says what each may do (a plain store: the administrator). */
  readonly credentials: CredentialStore | PrincipalDirectory;
  /** The functions that exist, by the name callers give as FunctionName. */
  readonly functions: readonly Name[];
  readonly runtime: InvokableFunctions<Name>;
}

export interface LocalLambdaApi {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Past the largest payload nothing valid can follow; stop reading there. */
const maxRequestBytes = Math.max(...Object.values(maxPayloadBytes)) + 1;

const requestTooLarge = () =>
  new LambdaApiError(LambdaErrorCode.requestTooLarge, `Request must be smaller than ${maxRequestBytes - 1} bytes for the InvokeFunction operation`);

/**
 * Lambda's answer to more than the account's request rate (its model's TooManyRequestsException, HTTP 429):
 * given when the stack is already buffering as many request bytes as it will (http-body.ts's budget).
 */
const tooManyRequests = () =>
  new LambdaApiError(LambdaErrorCode.tooManyRequests, 'Rate Exceeded.', { reason: 'CallerRateLimitExceeded' });

function send(response: ServerResponse, status: number, requestId: string, body: string | undefined, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? undefined : Buffer.from(body);
  response.writeHead(status, {
    ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
    'x-amzn-RequestId': requestId,
    ...headers,
  });
  response.end(payload);
}

export function sendLambdaError(response: ServerResponse, requestId: string, error: LambdaApiError): void {
  send(response, error.statusCode, requestId, JSON.stringify(error.body()), { 'x-amzn-ErrorType': error.code });
}

export async function startLocalLambdaApi<Name extends string>(options: LocalLambdaApiOptions<Name>): Promise<LocalLambdaApi> {
  const host = options.host ?? '127.0.0.1';
  const budget = options.bodyBudget ?? stackBodyBudget;
  const auth = { credentials: options.credentials, service: signingName, region: options.region };

  const invoke = async (request: IncomingMessage, response: ServerResponse, requestId: string) => {
    // A target that is not a plain path (`//[`, `*`) is no Invoke path either.
    const target = request.method === 'POST' && requestPathname(request) !== undefined ? parseInvokePath(request.url ?? '/') : undefined;
    if (!target) throw new LambdaApiError(LambdaErrorCode.unknownOperation, 'this local Lambda serves only Invoke');
    // What AWS refuses whatever the body is refused before a byte of it is read; then the body must fit the budget.
    const headerFailure = sigV4FailureBeforeBody({ method: 'POST', url: request.url ?? '/', headers: request.headers }, auth);
    if (headerFailure) {
      const { code, message } = signatureErrorOf(headerFailure);
      throw new LambdaApiError(code, message);
    }
    if (!declaredBodyFits(budget, request, maxRequestBytes)) throw tooManyRequests();
    const body = await readHeldBody(request, response, {
      maxBytes: maxRequestBytes,
      tooLarge: requestTooLarge,
      budget,
      overBudget: tooManyRequests,
      ...bodyPaceOf(options),
    });
    const verdict = await verifySigV4(
      { method: 'POST', url: request.url ?? '/', headers: request.headers, payloadHash: createHash('sha256').update(body).digest('hex') },
      auth,
    );
    if (!verdict.ok) {
      const { code, message } = signatureErrorOf(verdict);
      throw new LambdaApiError(code, message);
    }
    // IAM checks lambda:InvokeFunction on the ARN the caller named, before Lambda looks the function up.
    const resource = functionArn(target, target.region ?? options.region, target.accountId ?? localAccountId);
    const denied = deniedMessage(principalFor(options.credentials, verdict.accessKeyId), [{ action: 'lambda:InvokeFunction', resource }]);
    if (denied !== undefined) throw new LambdaApiError(LambdaErrorCode.accessDenied, denied);
    const name = resolveFunction(target, options.functions, options.region);
    const type = invocationTypeOf(request.headers);
    const event = parsePayload(body, type);

    if (type === InvocationType.dryRun) return send(response, 204, requestId, undefined);
    if (type === InvocationType.event) {
      // The runtime retries, then hands the event to the function's on-failure destination.
      options.runtime.invokeAsync(name, event).catch((error: unknown) => console.error('[lambda]', requestId, 'async invoke failed', error));
      return send(response, 202, requestId, undefined);
    }
    try {
      const result = await options.runtime.invoke(name, event);
      send(response, 200, requestId, JSON.stringify(result ?? null), { 'X-Amz-Executed-Version': '$LATEST' });
    } catch (error) {
      if (!(error instanceof FunctionError)) throw error;
      const payload = { errorType: error.errorType, errorMessage: error.message, trace: error.trace };
      send(response, 200, requestId, JSON.stringify(payload), { 'X-Amz-Executed-Version': '$LATEST', 'X-Amz-Function-Error': 'Unhandled' });
    }
  };

  const internalError = (response: ServerResponse) =>
    sendLambdaError(response, randomUUID(), new LambdaApiError(LambdaErrorCode.service, 'Internal error'));
  const server = createServer(
    guardRequests(
      async (request, response) => {
        const requestId = randomUUID();
        try {
          await invoke(request, response, requestId);
        } catch (error) {
          // Lambda's own refusals answer here; anything else is the boundary's 500, logged there.
          if (!(error instanceof LambdaApiError) || error.statusCode >= 500 || response.headersSent) throw error;
          closeOrDrain(request, response, maxRequestBytes, bodyPaceOf(options));
          sendLambdaError(response, requestId, error);
        }
      },
      { service: 'lambda', internalError: (_request, response) => internalError(response) },
    ),
  );
  guardServer(server);
  const port = await listen(server, options.port, host);

  return {
    endpoint: `http://${host}:${port}`,
    async close() {
      await closeServer(server);
    },
  };
}
