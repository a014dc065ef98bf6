/**
 * The client side of ./admin-request.ts: `fetch` with a SigV4 signature of
 * the stack's admin key pair, for tests, the bench and dev tools that mint
 * user-pool tokens or drive Rekognition's test hooks.
 *
 * @example
 * const credentials = stackCredentials(stateDir); // credentials.json
 * await adminFetch(tokensUrl, { method: 'POST', body: JSON.stringify({ username: 'alice' }) }, { credentials, region, service: 'cognito-idp' });
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalCredentials } from './credentials.ts';

export interface AdminSigning {
  readonly credentials: LocalCredentials;
  readonly region: string;
  /** The endpoint's signing name. */
  readonly service: string;
}

export interface AdminFetchInit {
  readonly method: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function adminFetch(url: string | URL, init: AdminFetchInit, signing: AdminSigning): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: signing.service, region: signing.region, credentials: signing.credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: init.method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port === '' ? undefined : Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { host: target.host, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body,
  });
  // fetch sets Host itself, from the same URL.
  const { host: _host, ...headers } = signed.headers;
  return fetch(target, { method: init.method, headers, body: init.body });
}
