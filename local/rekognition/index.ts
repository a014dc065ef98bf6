/**
 * Local Amazon Rekognition: DetectLabels and DetectModerationLabels over the
 * JSON 1.1 protocol, answered by real vision models that ship inside npm
 * packages (centernet COCO-80 from @vladmandic/human, nsfwjs MobileNetV2),
 * run in a worker thread so the stack's event loop stays free.
 *
 * @example
 * const rekognition = await startLocalRekognition({ port: 0, region, credentials, readObject });
 * await rekognition.ready;
 * new RekognitionClient({ endpoint: rekognition.endpoint, region, credentials: keyPair });
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CredentialStore } from '../iam/credentials.ts';
import type { PrincipalDirectory } from '../iam/principals.ts';
import { authorizeOperation, callerReader } from './authorization.ts';
import { startVisionEngine, type VisionEngine } from './engine/engine.ts';
import { RekognitionError, RekognitionErrorCode } from './errors.ts';
import { FaultInjector } from './faults.ts';
import { operations, type OperationDeps } from './operations/index.ts';
import { maxRequestBytes, newRequestId, parseRequest, sendError, sendResult } from './protocol.ts';
import { imagePropertiesRequestsStat, requestsImageProperties, timedEngine, type RekognitionStats } from './stats.ts';
import { overQuotaError, TpsQuota } from './tps-quota.ts';
import { isTestHook, serveTestHook } from './test-hooks.ts';
import { clientWentAway, closeServer, guardRequests, guardServer } from '../http-boundary.ts';
import { bodyPaceOf, closeOrDrain, type RequestBodyOptions, stackBodyBudget } from '../http-body.ts';
import { listen } from '../listen.ts';

export interface LocalRekognitionOptions extends RequestBodyOptions {
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly region: string;
  /** The key pairs Rekognition accepts; a PrincipalDirectory also says what each may do (a plain store: the administrator). */
  readonly credentials: CredentialStore | PrincipalDirectory;
  /** The stack's admin key pair, the only signer of the test hooks (stats, faults). */
  readonly admin: CredentialStore;
  /** bytes of an S3 object, undefined when missing */
  readonly readObject: (bucket: string, key: string) => Promise<Buffer | undefined>;
  /**
   * Calls per second each operation admits, as Rekognition's per-account TPS
   * quota; above it, ThrottlingException (tps-quota.ts).
   * @default - no quota
   */
  readonly tpsQuota?: number;
  /**
   * A vision engine the caller started (startVisionEngine) and keeps: several local Rekognitions may share one, so
   * the models load once (the unit tests do, a worker at a time). close() leaves it running.
   * @default - an engine of its own, closed with the server
   */
  readonly engine?: VisionEngine;
}

export interface LocalRekognition {
  readonly endpoint: string;
  /**
   * Requests per operation (faulted and throttled ones included), injected faults, calls refused by the TPS
   * quota (`throttledByQuota`) and engine time so far, also served on GET /_labelcast/stats (admin-signed).
   */
  stats(): RekognitionStats;
  /** Injected faults (faults.ts), also set on PUT /_labelcast/faults (admin-signed). */
  readonly faults: FaultInjector;
  /** resolves once models are loaded and verified */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export async function startLocalRekognition(options: LocalRekognitionOptions): Promise<LocalRekognition> {
  const host = options.host ?? '127.0.0.1';
  const timed = timedEngine(options.engine ?? startVisionEngine());
  const engine = timed.engine;
  const closeEngine = options.engine ? async () => undefined : () => engine.close();
  const deps: OperationDeps = { engine, readObject: options.readObject };
  const calls: RekognitionStats = { ...Object.fromEntries(Object.keys(operations).map((name) => [name, 0])), [imagePropertiesRequestsStat]: 0 };
  let engineLoadMs = Number.NaN;
  void engine.ready.then((info) => (engineLoadMs = info.loadMs), () => undefined);
  const faults = new FaultInjector();
  const quota = options.tpsQuota === undefined ? undefined : new TpsQuota(options.tpsQuota);
  const stats = (): RekognitionStats => ({
    ...calls,
    faultsInjected: faults.injected,
    throttledByQuota: quota?.throttled ?? 0,
    engineBusyMs: timed.busyMs(),
    engineLoadMs,
  });
  const hooks = { admin: options.admin, region: options.region, faults, operations: Object.keys(operations), stats };

  const auth = {
    credentials: options.credentials,
    region: options.region,
    budget: options.bodyBudget ?? stackBodyBudget,
    pace: bodyPaceOf(options),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const requestId = newRequestId();
    if (isTestHook(request)) {
      await serveTestHook(request, response, hooks);
      return;
    }
    try {
      const { accessKeyId, operation, input } = await parseRequest(request, response, auth);
      const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (!run) throw new RekognitionError(RekognitionErrorCode.unknownOperation, '');
      authorizeOperation(options.credentials, accessKeyId, operation);
      calls[operation] += 1;
      if (operation === 'DetectLabels' && requestsImageProperties(input)) calls[imagePropertiesRequestsStat] += 1;
      const fault = faults.take(operation);
      if (fault) {
        sendError(response, requestId, fault);
        return;
      }
      // Over the account's TPS quota: refused before any work, as Rekognition does.
      if (quota && !quota.take(operation)) {
        sendError(response, requestId, overQuotaError());
        return;
      }
      // Rekognition reads an Image.S3Object with the caller's permissions.
      sendResult(response, requestId, await run(input, { ...deps, readObject: callerReader(options.credentials, accessKeyId, options.readObject) }));
    } catch (error) {
      if (clientWentAway(response, error)) return;
      const known = error instanceof RekognitionError ? error : new RekognitionError(RekognitionErrorCode.internalServerError, 'Internal server error', { cause: error });
      // ThrottlingException is a 5xx too, but Rekognition's answer, not a failure to log.
      if (known.code === RekognitionErrorCode.internalServerError) console.error('[rekognition]', requestId, error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      closeOrDrain(request, response, maxRequestBytes, auth.pace);
      sendError(response, requestId, known);
    }
  };

  const server = createServer(
    guardRequests(handle, {
      service: 'rekognition',
      internalError: (_request, response) =>
        sendError(response, newRequestId(), new RekognitionError(RekognitionErrorCode.internalServerError, 'Internal server error')),
    }),
  );
  guardServer(server);
  let port: number;
  try {
    port = await listen(server, options.port, host);
  } catch (error) {
    await closeEngine();
    throw error;
  }
  const ready = engine.ready.then(() => undefined);
  // Closing before the models load rejects `ready`; that must not surface as an unhandled rejection.
  ready.catch(() => undefined);

  return {
    endpoint: `http://${host}:${port}`,
    stats,
    faults,
    ready,
    async close() {
      await Promise.all([closeServer(server), closeEngine()]);
    },
  };
}

export type { RekognitionErrorCode } from './errors.ts';
export { statsPath, type RekognitionStats } from './stats.ts';
export { faultsPath, type FaultSpec } from './faults.ts';
export { tpsQuotaFromEnv } from './tps-quota.ts';
export { LocalRekognitionError, TpsQuotaError } from './errors.ts';
