/**
 * Local Amazon DynamoDB: dynalite (DynamoDB's JSON 1.0 protocol over LevelDB)
 * persisted under dataDir. Tables change state at once instead of after
 * AWS's few seconds of CREATING. A damaged store stops the start with a
 * StateFileError (./data-dir.ts).
 *
 * Sockets do not reach dynalite's handler directly: it throws from its
 * stream listeners (on a client that resets mid-body, on an input its
 * validation does not expect), which would end the process. So each request's
 * body is read here, bounded, and handed to dynalite's handler the way callers
 * in this process hand theirs (in-process.ts), behind the error boundary.
 *
 * Every JSON request, over the socket or in process, is checked first as
 * DynamoDB checks it: its SigV4 signature, over the body, before the body is
 * parsed, then the body's shape (body-shape.ts) and the signer's policy
 * (authorizing-transport.ts). Then TransactWriteItems and TransactGetItems,
 * which dynalite lacks, run atomically over its single-item operations
 * (transactions.ts), holding the store exclusively, while other writes hold
 * only their own items' locks (item-locks.ts; store-transport.ts, which also
 * meters write and read units per table and index: metering.ts).
dynalite is made cheaper without changing what it answers: its store keeps
 * table descriptions between item operations (table-description-cache.ts)
 * instead of reading one from LevelDB each time, reads single keys
 * synchronously (synchronous-gets.ts), Query and Scan read a page in one call
 * (query-pages.ts), its validation keeps what it parsed of each expression
 * (expression-parse-cache.ts) instead of parsing it again for each request,
 * and the answers' CRC32 is native (answer-checksum.ts).
 * Test hooks signed by the admin key pair (test-hooks.ts) inject write
 * throttling (throttling.ts) and read the meter.
 */
import { type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type BodyBudget, type BodyPace, bodyPaceOf, closeOrDrain, declaredBodyFits, readHeldBody, type RequestBodyOptions, stackBodyBudget } from '../http-body.ts';
import { sigV4FailureBeforeBody } from '../iam/sigv4.ts';
import { closeServer, guardRequests, guardServer, requestPathname } from '../http-boundary.ts';
import { listen } from '../listen.ts';
import { CheckedDataDir, checkDynamoDbDataDir } from './data-dir.ts';
import { cacheExpressionParses, type ParserModule } from './expression-parse-cache.ts';
import { BodyTooLargeError } from '../errors.ts';
import { authorizingTransport, signatureRefusal, type DynamoDbAuthOptions } from './authorizing-transport.ts';
import { serviceError } from './errors.ts';
import { inProcessTransport, type DynamoDbHttpResponse, type DynamoDbTransport } from './in-process.ts';
import { DynamoDbMeter } from './metering.ts';
import { storeTransport } from './store-transport.ts';
import { cacheTableDescriptions, type DynaliteStore } from './table-description-cache.ts';
import { checksumAnswersNatively } from './answer-checksum.ts';
import { readPagesInOneCall } from './query-pages.ts';
import { readSynchronously, type SynchronouslyReadableDb } from './synchronous-gets.ts';
import { isTestHook, serveTestHook } from './test-hooks.ts';
import { throttlingTransport, WriteThrottle } from './throttling.ts';
import type { CredentialStore } from '../iam/credentials.ts';

export interface LocalDynamoDbOptions extends DynamoDbAuthOptions, RequestBodyOptions {
  /**
   * The store's directory: a plain path is opened once here first (data-dir.ts) so a damaged store is a
   * StateFileError; a CheckedDataDir (checkDynamoDbDataDir's, as local/state-files.ts hands on) was, and is not again.
   */
  readonly dataDir: string | CheckedDataDir;
  readonly port: number;
  readonly host?: string;
  /** The stack's admin key pair, the only signer of the test hooks (throttling, usage); no hooks without it. */
  readonly admin?: CredentialStore;
}

export interface LocalDynamoDb {
  readonly endpoint: string;
  /** The same server for callers in this process: requests go to its handler without a socket, signature and policy checked as over the socket. */
  readonly transport: DynamoDbTransport;
  /** Injected write throttling (throttling.ts), also set on PUT /_labelcast/throttling (admin-signed). */
  readonly throttle: WriteThrottle;
  /** Write and read units and bytes stored per table and index (metering.ts), also on GET /_labelcast/usage (admin-signed). */
  readonly meter: DynamoDbMeter;
  close(): Promise<void>;
}

interface DynaliteOptions {
  readonly path: string;
  readonly createTableMs: number;
  readonly deleteTableMs: number;
  readonly updateTableMs: number;
}

const requireDynalite = createRequire(import.meta.url);
const dynaliteServer = requireDynalite('dynalite') as (options: DynaliteOptions) => Server;
/** dynalite's store module: its server calls create() once, when it is made. */
const dynaliteDb = requireDynalite('dynalite/db') as { create: (options: DynaliteOptions) => DynaliteStore & { readonly db: SynchronouslyReadableDb } };

/** dynalite's expression parsers, which its validation calls through these module objects. */
const dynaliteParsers = ['dynalite/db/conditionParser', 'dynalite/db/updateParser', 'dynalite/db/projectionParser'].map(
  (name) => requireDynalite(name) as ParserModule,
);

/**
 * dynalite's server, made cheaper without changing what it answers: its store reads single keys synchronously
 * (synchronous-gets.ts) and keeps table descriptions between item operations (table-description-cache.ts),
 * Query and Scan read a page in one call (query-pages.ts), its expressions are parsed once each
 * (expression-parse-cache.ts), and answers are checksummed natively (answer-checksum.ts).
 */
function dynalite(options: DynaliteOptions): Server {
  cacheExpressionParses(dynaliteParsers);
  readPagesInOneCall();
  checksumAnswersNatively();
  const create = dynaliteDb.create;
  dynaliteDb.create = (storeOptions) => {
    const store = create(storeOptions);
    readSynchronously(store.db);
    cacheTableDescriptions(store);
    return store;
  };
  try {
    return dynaliteServer(options);
  } finally {
    dynaliteDb.create = create;
  }
}

/** DynamoDB's (and dynalite's) request size limit; past it the answer is a bare 413, as dynalite's. */
const maxRequestBytes = 16 * 1024 * 1024;

const jsonContentType = 'application/x-amz-json-1.0';

function sendJson(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': jsonContentType, 'content-length': Buffer.byteLength(text) }).end(text);
}

const sendInternalError = (response: ServerResponse) =>
  sendJson(response, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' });

/**
 * DynamoDB's answer to more requests than the account's quota (RequestLimitExceeded, which the SDKs retry):
 * given when the stack is already buffering as many request bytes as it will (http-body.ts's budget).
 */
const requestLimitExceeded = () =>
  serviceError('RequestLimitExceeded', 'Throughput exceeds the current throughput quota for your account. Please contact AWS Support to request a quota increase.');

/** The next chunk of a body did not fit in the budget (answered requestLimitExceeded). */
class BodyOverBudget extends Error {}

function sendAnswer(response: ServerResponse, answer: DynamoDbHttpResponse): void {
  response.writeHead(answer.statusCode, answer.headers).end(answer.body);
}

/**
 * Serves one socket request through `transport`: the body read here, the answer written back as dynalite gave
 * it. What is refused whatever the body (a target dynalite cannot parse, a signature wrong on its headers
 * alone) and what is answered whatever it holds (any method but POST) is answered before the body is read;
 * a body is read only if what it declares fits in `budget`, and charged to it as it arrives.
 */
async function serveOverTransport(
  transport: DynamoDbTransport,
  checks: { readonly auth: DynamoDbAuthOptions; readonly budget: BodyBudget; readonly pace: BodyPace },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const refuseUnread = (answer: () => void) => {
    closeOrDrain(request, response, maxRequestBytes, checks.pace);
    answer();
  };
  // Only plain paths reach dynalite, whose url.parse throws on others (`http://[/x`).
  if (requestPathname(request) === undefined) {
    return refuseUnread(() => response.writeHead(404, { 'content-type': 'text/plain' }).end('<UnknownOperationException/>\n'));
  }
  const method = (request.method ?? 'GET').toUpperCase();
  const headers = Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])),
  );
  // Only POSTs carry operations: dynalite answers any other method (health check, CORS preflight, 404) whatever
  // its body, unauthenticated as DynamoDB does, so that body is never buffered or held (at most drained).
  if (method !== 'POST') {
    const answer = await transport({ method, path: request.url ?? '/', headers, body: '' });
    return refuseUnread(() => sendAnswer(response, answer));
  }
  // As authorizingTransport checks it, up to the signature over the body.
  const failure = sigV4FailureBeforeBody(
    { method: 'POST', url: request.url ?? '/', headers: request.headers },
    { credentials: checks.auth.credentials, service: 'dynamodb', region: checks.auth.region },
  );
  if (failure) return refuseUnread(() => sendAnswer(response, signatureRefusal(failure)));
  if (!declaredBodyFits(checks.budget, request, maxRequestBytes)) return refuseUnread(() => sendAnswer(response, requestLimitExceeded()));
  let body: Buffer;
  try {
    body = await readHeldBody(request, response, {
      maxBytes: maxRequestBytes,
      tooLarge: () => new BodyTooLargeError(maxRequestBytes),
      budget: checks.budget,
      overBudget: () => new BodyOverBudget(),
      ...checks.pace,
    });
  } catch (error) {
    if (error instanceof BodyOverBudget) return refuseUnread(() => sendAnswer(response, requestLimitExceeded()));
    if (!(error instanceof BodyTooLargeError)) throw error;
    response.writeHead(413, { connection: 'close' }).end();
    return;
  }
  // The transport verifies the signature over the body before anything parses it (authorizing-transport.ts).
  sendAnswer(response, await transport({ method: 'POST', path: request.url ?? '/', headers, body: body.toString('utf8') }));
}

export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir instanceof CheckedDataDir ? options.dataDir : await checkDynamoDbDataDir(options.dataDir);
  const server = dynalite({ path: dataDir.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // dynalite's one request listener is its HTTP handler, bound to the store; sockets reach it only through the boundary.
  const [handler] = server.listeners('request') as RequestListener[];
  // Authentication, then injected throttling (which needs the signer), then transactions run alone, writes of
  // one item one after the other, and everything metered above dynalite (store-transport.ts).
  const meter = new DynamoDbMeter();
  const throttle = new WriteThrottle();
  const transport = authorizingTransport(throttlingTransport(storeTransport(inProcessTransport(handler), meter), throttle), options);
  const { admin } = options;
  const checks = { auth: options, budget: options.bodyBudget ?? stackBodyBudget, pace: bodyPaceOf(options) };
  server.removeAllListeners('request');
  server.on(
    'request',
    guardRequests(
      (request, response) =>
        admin && isTestHook(request)
          ? serveTestHook(request, response, { admin, region: options.region, throttle, meter })
          : serveOverTransport(transport, checks, request, response),
      {
      service: 'local-dynamodb',
        internalError: (_request, response) => sendInternalError(response),
      },
    ),
  );
  guardServer(server);
  const port = await listen(server, options.port, host);
  return {
    endpoint: `http://${host}:${port}`,
    transport,
    throttle,
    meter,
    // dynalite's close also closes LevelDB once in-flight operations finish.
    close: () => closeServer(server),
  };
}
