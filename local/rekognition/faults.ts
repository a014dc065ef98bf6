/**
 * Not an AWS API: fault injection, so tests can prove what the pipeline does
 * when Rekognition throttles or fails. `PUT /_labelcast/faults` with
 * `{ "operation": "DetectLabels", "errorCode": "ThrottlingException", "count": 3 }`
 * makes the next 3 DetectLabels calls answer that error, exactly as
 * Rekognition sends it (count omitted: until cleared); `DELETE` clears every
 * fault, `GET` lists them. Like the stats endpoint beside it, only requests
 * SigV4-signed by the stack's admin key pair reach it (./test-hooks.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSpecError, RekognitionError, RekognitionErrorCode } from './errors.ts';

export const faultsPath = '/_labelcast/faults';

/** The errors a fault can answer: the ones Rekognition sends when it is overloaded or broken, all retryable. */
export const InjectableErrorCode = {
  throttling: RekognitionErrorCode.throttling,
  provisionedThroughputExceeded: RekognitionErrorCode.provisionedThroughputExceeded,
  internalServerError: RekognitionErrorCode.internalServerError,
} as const;
export type InjectableErrorCode = (typeof InjectableErrorCode)[keyof typeof InjectableErrorCode];

const messageOf: Readonly<Record<InjectableErrorCode, string>> = {
  ThrottlingException: 'Rate exceeded',
  ProvisionedThroughputExceededException: 'Provisioned rate exceeded',
  InternalServerError: 'Internal server error',
};

export interface FaultSpec {
  /** The operation that fails, by X-Amz-Target name (e.g. DetectLabels). */
  readonly operation: string;
  readonly errorCode: InjectableErrorCode;
  /** How many calls fail; undefined fails every call until the fault is cleared. */
  readonly count?: number;
}

const injectableCodes: readonly string[] = Object.values(InjectableErrorCode);

/** Checks a PUT body against the operations served; throws a FaultSpecError saying what is wrong. */
export function parseFaultSpec(body: unknown, operations: readonly string[]): FaultSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FaultSpecError('the body must be a JSON object');
  const { operation, errorCode, count, ...rest } = body as Record<string, unknown>;
  const unknownFields = Object.keys(rest);
  if (unknownFields.length > 0) throw new FaultSpecError(`unknown field(s): ${unknownFields.join(', ')}`);
  if (typeof operation !== 'string' || !operations.includes(operation)) {
    throw new FaultSpecError(`operation must be one of ${operations.join(', ')}`);
  }
  if (typeof errorCode !== 'string' || !injectableCodes.includes(errorCode)) {
    throw new FaultSpecError(`errorCode must be one of ${injectableCodes.join(', ')}`);
  }
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1)) {
    throw new FaultSpecError('count must be a positive integer, or omitted to fail until cleared');
  }
  return { operation, errorCode: errorCode as InjectableErrorCode, count };
}

/** The faults set per operation, and how many calls they failed. */
export class FaultInjector {
  private readonly faults = new Map<string, { errorCode: InjectableErrorCode; remaining: number }>();
  private injectedCount = 0;

  /** Sets the fault of spec.operation, replacing the one it had. */
  public set(spec: FaultSpec): void {
    this.faults.set(spec.operation, { errorCode: spec.errorCode, remaining: spec.count ?? Number.POSITIVE_INFINITY });
  }

  public clear(): void {
    this.faults.clear();
  }

  /** The faults still set, as a PUT would set them again. */
  public list(): FaultSpec[] {
    return [...this.faults].map(([operation, { errorCode, remaining }]) => ({
      operation,
      errorCode,
      ...(Number.isFinite(remaining) ? { count: remaining } : {}),
    }));
  }

  /** Calls answered with an injected fault so far. */
  public get injected(): number {
    return this.injectedCount;
  }

  /** The error this call of `operation` must answer, if a fault is set; uses up one of its count. */
  public take(operation: string): RekognitionError | undefined {
    const fault = this.faults.get(operation);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.delete(operation);
    this.injectedCount += 1;
    return new RekognitionError(fault.errorCode, messageOf[fault.errorCode]);
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new FaultSpecError('the body must be JSON');
  }
}

const sendJson = (response: ServerResponse, status: number, body: unknown) =>
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

/**
 * Serves GET, PUT and DELETE on faultsPath, once admitted, with the request's
 * whole `body` (read before the signature check, which covers it): 200 with
 * the faults now set, 400 with a message for a bad spec.
 */
export function serveFaults(request: IncomingMessage, body: Buffer, response: ServerResponse, faults: FaultInjector, operations: readonly string[]): void {
  try {
    if (request.method === 'PUT') faults.set(parseFaultSpec(parseJson(body), operations));
    else if (request.method === 'DELETE') faults.clear();
    else if (request.method !== 'GET') {
      response.writeHead(405, { Allow: 'GET, PUT, DELETE', 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'use GET, PUT or DELETE' }));
      return;
    }
    sendJson(response, 200, { faults: faults.list() });
  } catch (error) {
    if (!(error instanceof FaultSpecError)) throw error;
    sendJson(response, 400, { message: error.message });
  }
}
