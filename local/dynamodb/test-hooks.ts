/**
 * Not AWS APIs: the local DynamoDB's test hooks, on its own port.
 *
 * - `/_labelcast/throttling`: PUT `{ "writeShare": 0.3, "seed": 7, "scope": "functions" }`
 *   throttles that share of writes (./throttling.ts); DELETE stops it; GET
 *   says what is set and how many writes were throttled.
 * - `/_labelcast/usage`: GET the write and read units and bytes stored per
 *   table and index so far (./metering.ts), with the whole stack's other
 *   billed usage (S3 requests, AppSync requests and messages, Lambda
 *   GB-seconds: ../stack-usage.ts); DELETE starts the counts again.
 *
 * A hook changes what every caller sees, or tells what everyone did, so only
 * the stack's admin key pair may use it: each request must be SigV4-signed by
 * it (signing name `dynamodb`, body included), as a DynamoDB operation is;
 * anything else gets DynamoDB's signature error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readHookBody } from '../http-body.ts';
import { verifyAdminRequest } from '../iam/admin-request.ts';
import type { CredentialStore } from '../iam/credentials.ts';
import { resetStackUsage, stackUsage } from '../stack-usage.ts';
import { dynamoDbRefusal } from './authorizing-transport.ts';
import type { DynamoDbMeter } from './metering.ts';
import { ThrottleSpecError } from './errors.ts';
import { parseThrottleSpec, type WriteThrottle } from './throttling.ts';

export const throttlingPath = '/_labelcast/throttling';
export const usagePath = '/_labelcast/usage';

export interface DynamoDbTestHooks {
  /** The stack's admin key pair alone. */
  readonly admin: CredentialStore;
  readonly region: string;
  readonly throttle: WriteThrottle;
  readonly meter: DynamoDbMeter;
}

/** A throttle spec is a few dozen bytes; the other hooks take none. */
const maxHookBodyBytes = 4096;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

const pathOf = (request: IncomingMessage) => (request.url ?? '').split('?', 1)[0];

/** Whether the request is for a test hook rather than a DynamoDB operation. */
export function isTestHook(request: IncomingMessage): boolean {
  const path = pathOf(request);
  return path === throttlingPath || path === usagePath;
}

function throttlingState(throttle: WriteThrottle) {
  return { throttling: throttle.current ?? null, throttledWrites: throttle.throttled };
}

function serveThrottling(request: IncomingMessage, body: Buffer, response: ServerResponse, throttle: WriteThrottle): void {
  if (request.method === 'PUT') {
    try {
      throttle.set(parseThrottleSpec(JSON.parse(body.toString('utf8'))));
    } catch (error) {
      if (error instanceof SyntaxError) return sendJson(response, 400, { message: 'the body must be JSON' });
      if (error instanceof ThrottleSpecError) return sendJson(response, 400, { message: error.message });
      throw error;
    }
  } else if (request.method === 'DELETE') throttle.clear();
  else if (request.method !== 'GET') {
    return void response.writeHead(405, { Allow: 'GET, PUT, DELETE', 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'use GET, PUT or DELETE' }));
  }
  sendJson(response, 200, throttlingState(throttle));
}

/** Serves a test hook request, once its admin signature checks out. */
export async function serveTestHook(request: IncomingMessage, response: ServerResponse, hooks: DynamoDbTestHooks): Promise<void> {
  const body = await readHookBody(request, response, maxHookBodyBytes);
  if (!body) return;
  const admitted = await verifyAdminRequest(request, body, { admin: hooks.admin, service: 'dynamodb', region: hooks.region });
  if (!admitted.ok) {
    const refusal = dynamoDbRefusal(admitted.code, admitted.message);
    return void response.writeHead(refusal.statusCode, refusal.headers).end(refusal.body);
  }
  if (pathOf(request) === throttlingPath) return serveThrottling(request, body, response, hooks.throttle);
  if (request.method === 'DELETE') {
    hooks.meter.reset();
    resetStackUsage();
  }
  else if (request.method !== 'GET') {
    return void response.writeHead(405, { Allow: 'GET, DELETE', 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'use GET or DELETE' }));
  }
  sendJson(response, 200, { ...hooks.meter.usage(), throttledWrites: hooks.throttle.throttled, stack: stackUsage() });
}
