/**
 * The e2e stack's admin identity, as a developer holds it: the key pair in
 * the state dir's credentials.json, for the stack's admin-only endpoints
 * (minting user-pool tokens, Rekognition's test hooks).
 */
import { inject } from 'vitest';
import { stackCredentials } from '../../local/child-process-stack.ts';
import { adminFetch, type AdminFetchInit } from '../../local/iam/admin-fetch.ts';
import { amplifyOutputs } from './amplify-client.ts';

/** Whose admin signs: a stack's state dir (its key pair) and region. A file's stack of its own passes its RunningStack. */
export interface AdminStack {
  readonly stateDir: string;
  readonly region: string;
}

/** The project's e2e stack (tests/support/local-stack-setup.ts). */
export const projectStack = (): AdminStack => ({ stateDir: inject('stateDir'), region: amplifyOutputs().data.aws_region });

/** `fetch`, SigV4-signed by the stack's admin key pair for `service`. */
export function fetchAsAdmin(url: string | URL, init: AdminFetchInit, service: string, stack: AdminStack = projectStack()): Promise<Response> {
  return adminFetch(url, init, { credentials: stackCredentials(stack.stateDir), region: stack.region, service });
}
