/**
 * Local Amazon S3: an HTTP front that authenticates and checks each request
 * as S3 does (admission.ts), authorizes it against the signer's policy
 * (authorize-request.ts), evaluates its conditions (preconditions.ts),
 * then hands it to s3rver for storage, and turns stored objects into
 * ObjectCreated notifications.
 *
 * Given TLS material it serves HTTPS, as S3 does: the stack passes the local
 * AppSync's certificate, so an HTTPS page (the gallery) loads presigned images
 * and uploads without mixed content, and clients trusting the local CA
 * (NODE_EXTRA_CA_CERTS) trust it. SigV4 signs the Host header, not the
 * scheme, so presigned URLs are the same either way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer as createHttpServer, IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { S3Event } from 'aws-lambda';
import type { CredentialStore } from '../iam/credentials.ts';
import type { PrincipalDirectory } from '../iam/principals.ts';
import { admitRequest, maxBodyBytes, noSuchUpload, type AdmittedRequest } from './admission.ts';
import { authorizeS3Request } from './authorize-request.ts';
import { handOnDeleteObjects, type DecidedDeleteObjects } from './delete-objects.ts';
import { newRequestIds, s3Error, sendS3Error, type RequestIds, type S3Error } from './errors.ts';
import { objectCreatedEvent, type ObjectCreatedEventName } from './events.ts';
import { checkPreconditions, KeyLocks, lockKeysOf, needsLock, objectTargetOf } from './preconditions.ts';
import { parseS3Target } from './request-target.ts';
import { createS3rverBackend, type BucketConfig, type KeptCounts, type S3rverBackend, type S3rverEvent } from './s3rver-adapter.ts';
import { closeServer, guardRequests, guardServer, sourceAddress } from '../http-boundary.ts';
import { countS3Request } from '../stack-usage.ts';
import { listen } from '../listen.ts';
import { BodyHold, bodyPaceOf, closeOrDrain, declaredBodyFits, type RequestBodyOptions, stackBodyBudget } from '../http-body.ts';
import { sigV4FailureBeforeBody } from '../iam/sigv4.ts';

export interface LocalS3Options extends RequestBodyOptions {
  readonly dataDir: string;
  readonly port: number;
  /** default 127.0.0.1 */
  readonly host?: string;
  readonly region: string;
  /** The key pairs S3 accepts; a PrincipalDirectory also says what each may do (a plain store: the administrator). */
  readonly credentials: CredentialStore | PrincipalDirectory;
  readonly buckets: readonly BucketConfig[];
  readonly maxObjectBytes: number;
  readonly onObjectCreated: (event: S3Event) => void;
  /**
   * Certificate chain and key (PEM) to serve HTTPS with.
   * @default - plain HTTP (unit tests of the S3 protocol)
   */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface LocalS3 {
  readonly endpoint: string;
  /** bytes of an object, or undefined when missing */
  readObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** What local S3 keeps in memory now (bucket configurations, ETags): for tests that its memory stays bounded. */
  keptCounts(): KeptCounts;
  close(): Promise<void>;
}

/** Who made the request that s3rver is serving, for the notification it triggers. */
interface RequestContext {
  readonly accessKeyId: string;
  readonly sourceIp: string;
  readonly ids: RequestIds;
}

/** Replays an admitted request, body already read, as the IncomingMessage s3rver (Koa) expects. */
function replayRequest(original: IncomingMessage, admitted: AdmittedRequest, deleteObjects: DecidedDeleteObjects | undefined): IncomingMessage {
  const replay = new IncomingMessage(original.socket);
  replay.method = original.method;
  replay.url = admitted.url;
  replay.headers = admitted.headers;
  replay.rawHeaders = Object.entries(admitted.headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value ?? '']).flatMap((item) => [name, item]),
  );
  replay.httpVersion = original.httpVersion;
  replay.httpVersionMajor = original.httpVersionMajor;
  replay.httpVersionMinor = original.httpVersionMinor;
  replay.complete = true;
  replay.push(admitted.body);
  replay.push(null);
  if (deleteObjects) handOnDeleteObjects(replay, deleteObjects);
  return replay;
}

const objectCreatedNames: Readonly<Record<string, ObjectCreatedEventName>> = {
  'ObjectCreated:Put': 'ObjectCreated:Put',
  'ObjectCreated:Post': 'ObjectCreated:Post',
  'ObjectCreated:Copy': 'ObjectCreated:Copy',
};

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const host = options.host ?? '127.0.0.1';
  const backend: S3rverBackend = await createS3rverBackend(options.dataDir, options.buckets);
  const requestContext = new AsyncLocalStorage<RequestContext>();
  const keyLocks = new KeyLocks();
  const budget = options.bodyBudget ?? stackBodyBudget;

  backend.events.on('event', (event: S3rverEvent) => {
    const context = requestContext.getStore();
    for (const record of event.Records) {
      const eventName = objectCreatedNames[record.eventName];
      if (!eventName) continue;
      const { bucket, object } = record.s3;
      void (async () => {
        // s3rver leaves the ETag out of copy events; the store has it.
        const eTag = object.eTag ?? (await backend.readObjectMd5(bucket.name, object.key)) ?? '';
        const notification = objectCreatedEvent({
          eventName,
          region: options.region,
          bucket: bucket.name,
          key: object.key,
          size: object.size ?? 0,
          eTag,
          principalId: `AWS:${context?.accessKeyId ?? 'anonymous'}`,
          sourceIp: context?.sourceIp ?? '127.0.0.1',
          requestId: context?.ids.requestId ?? newRequestIds().requestId,
          hostId: context?.ids.hostId ?? newRequestIds().hostId,
        });
        // Like S3, notify after the write and apart from the request that caused it.
        setImmediate(() => {
          try {
            options.onObjectCreated(notification);
          } catch (error) {
            console.error('[local-s3] onObjectCreated failed', error);
          }
        });
      })().catch((error: unknown) => console.error('[local-s3] could not build the notification', error));
    }
  });

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const ids = newRequestIds();
    res.setHeader('x-amz-request-id', ids.requestId);
    res.setHeader('x-amz-id-2', ids.hostId);
    const method = (req.method ?? 'GET').toUpperCase();
    // S3 bills every request it answers, refused ones included (the bench's cost rows).
    if (method !== 'OPTIONS') countS3Request(method, req.url ?? '/');
    // CORS preflights carry no credentials; s3rver answers them from the bucket's CORS rules.
    // Like S3, a presigned URL's query is not checked on a preflight (s3rver would, and refuse it).
    if (method === 'OPTIONS') {
      // In the canonical form admission hands on (request-target.ts): s3rver's router refuses an empty key segment.
      req.url = (parseS3Target(req.url ?? '/')?.url ?? req.url ?? '/').split('?')[0];
      return backend.handle(req, res);
    }

    // A body is held in memory from admission until s3rver has stored it: its bytes are charged to the stack's
    // budget as they arrive (readBody), and past it S3's 503 SlowDown, which SDKs and the client retry with
    // backoff. A body that declares more than is left is refused before it is read, unless its headers are
    // refused whatever it holds; admitRequest checks all of the signature before reading a byte of it, so a
    // request refused on its headers holds nothing.
    const maxBytes = maxBodyBytes(options.maxObjectBytes, true);
    // Like S3, an error carries the CORS headers of the bucket's rule for the request's origin and method (a page reads
    // the code of a refused upload). A rule that cannot be read adds none.
    const corsHeaders = () =>
      backend.corsHeaders(parseS3Target(req.url ?? '/')?.bucket ?? '', req.headers.origin, method).catch(() => ({}));
    const refuse = async (error: S3Error) => {
      const cors = await corsHeaders();
      // Answered at once, the body not read to its end (sendS3Error ends the connection after every error).
      closeOrDrain(req, res, maxBytes, bodyPaceOf(options));
      sendS3Error(res, method, error, cors);
    };
    const headersOnly = { method, url: req.url ?? '/', headers: req.headers };
    const signed = { credentials: options.credentials, service: 's3', region: options.region, uriEscapePath: false };
    if (sigV4FailureBeforeBody(headersOnly, signed) === undefined && !declaredBodyFits(budget, req, maxBytes)) {
      return refuse(s3Error('SlowDown', 'Please reduce your request rate.'));
    }
    const admission = await admitRequest(req, {
      region: options.region,
      credentials: options.credentials,
      maxObjectBytes: options.maxObjectBytes,
      bodyHold: new BodyHold(budget, res),
      // Its rate applies while the budget the body is charged to is under pressure (BodyClock).
      pace: { ...bodyPaceOf(options), budget },
    });
    if (!admission.ok) return refuse(admission.error);
    // IAM, after authentication and before storage: the signer's (a presigned URL's too) policy, and 403 for a key it may not learn is missing.
    const authorization = await authorizeS3Request(method, admission, options.credentials, (bucket, key) => backend.currentETag(bucket, key));
    if (!authorization.ok) {
      sendS3Error(res, method, authorization.error, await corsHeaders());
      return;
    }
    // An upload ID names one upload of one key, as on S3: s3rver would put parts into, or complete, any upload it
    // holds, whatever key IAM checked (it completes to the key the upload was started for).
    const { bucket, key } = admission.target;
    if (admission.uploadId !== undefined && bucket !== undefined && key !== undefined && (await backend.uploadKey(bucket, admission.uploadId)) !== key) {
      sendS3Error(res, method, noSuchUpload(admission.uploadId), await corsHeaders());
      return;
    }
    const context: RequestContext = { accessKeyId: admission.accessKeyId, sourceIp: sourceAddress(req), ids };
    const forward = () => requestContext.run(context, () => backend.handle(replayRequest(req, admission, authorization.deleteObjects), res));
    const target = objectTargetOf(method, admission.url, admission.headers);
    if (!target || !needsLock(target, admission.headers)) return forward();
    // Conditions are checked and the request served under its keys' locks: no write lands in between (preconditions.ts).
    await keyLocks.with(lockKeysOf(target), async () => {
      const failed = await checkPreconditions(target, admission.headers, (bucket, key) => backend.currentETag(bucket, key));
      if (failed) sendS3Error(res, method, failed, await corsHeaders());
      else await forward();
    });
  };

  const handler = guardRequests(handleRequest, {
    service: 'local-s3',
    internalError: (req, res) => sendS3Error(res, req.method ?? 'GET', s3Error('InternalError', 'We encountered an internal error. Please try again.')),
  });
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
  guardServer(server);
  const port = await listen(server, options.port, host);

  return {
    endpoint: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    readObject: (bucket, key) => backend.readObject(bucket, key),
    keptCounts: () => backend.keptCounts(),
    close: () => closeServer(server).finally(() => backend.close()),
  };
}
