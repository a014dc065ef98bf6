/**
 * Not AWS APIs: the local Rekognition's test hooks, stats (./stats.ts) and
 * fault injection (./faults.ts). A test hook changes what every caller of
 * the stack sees (faults) or tells what it has been asked (stats), so only
 * the stack's admin key pair may use them: each request must be SigV4-signed
 * by it (signing name `rekognition`, body included), as a Rekognition
 * operation is; anything else gets Rekognition's signature error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readHookBody } from '../http-body.ts';
import { verifyAdminRequest } from '../iam/admin-request.ts';
import type { CredentialStore } from '../iam/credentials.ts';
import { RekognitionError } from './errors.ts';
import { faultsPath, serveFaults, type FaultInjector } from './faults.ts';
import { newRequestId, sendError, signingName } from './protocol.ts';
import { statsPath, type RekognitionStats } from './stats.ts';

export interface TestHooks {
  /** The stack's admin key pair alone. */
  readonly admin: CredentialStore;
  readonly region: string;
  readonly faults: FaultInjector;
  readonly operations: readonly string[];
  stats(): RekognitionStats;
}

/** A fault spec is a few dozen bytes, and the other hooks take none. */
const maxHookBodyBytes = 4096;

const sendJson = (response: ServerResponse, status: number, body: unknown) =>
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

/** Whether the request is for a test hook rather than a Rekognition operation. */
export function isTestHook(request: IncomingMessage): boolean {
  const path = (request.url ?? '').split('?', 1)[0];
  return path === statsPath || path === faultsPath;
}

/** Serves a test hook request, once its admin signature checks out. */
export async function serveTestHook(request: IncomingMessage, response: ServerResponse, hooks: TestHooks): Promise<void> {
  const body = await readHookBody(request, response, maxHookBodyBytes);
  if (!body) return;
  const admitted = await verifyAdminRequest(request, body, { admin: hooks.admin, service: signingName, region: hooks.region });
  if (!admitted.ok) return sendError(response, newRequestId(), new RekognitionError(admitted.code, admitted.message));
  if ((request.url ?? '').split('?', 1)[0] === faultsPath) return serveFaults(request, body, response, hooks.faults, hooks.operations);
  if (request.method !== 'GET') {
    return void response.writeHead(405, { Allow: 'GET', 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'use GET' }));
  }
  sendJson(response, 200, hooks.stats());
}
