/**
 * The e2e stack's admin identity, as a developer holds it: the key pair in
 * the state dir's credentials.json, for the stack's admin-only endpoints
 * (minting user-pool tokens, Rekognition's test hooks).
 */
import { inject } from 'vitest';
import { stackCredentials } from '../../local/child-process-stack.ts';
import { adminFetch, type AdminFetchInit } from '../../local/iam/admin-fetch.ts';
import { amplifyOutputs } from './amplify-client.ts';

/** `fetch`, SigV4-signed by the stack's admin key pair for `service`. */
export function fetchAsAdmin(url: string | URL, init: AdminFetchInit, service: string): Promise<Response> {
  const credentials = stackCredentials(inject('stateDir'));
  return adminFetch(url, init, { credentials, region: amplifyOutputs().data.aws_region, service });
}
