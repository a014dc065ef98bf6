/**
 * Admission to the stack's own endpoints that are not AWS APIs — minting
 * user-pool tokens (local/cognito/routes.ts) and Rekognition's fault and
 * stats hooks — by a SigV4 signature of the stack's admin key pair
 * (`credentials.json` in the state dir), body included. Never by the API key:
 * the gallery serves that to anyone who loads the page, so it proves nothing
 * about the caller. Clients sign with ./admin-fetch.ts.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CredentialStore } from './credentials.ts';
import { signatureErrorOf, type SignatureErrorCode } from './json-service-errors.ts';
import { verifySigV4 } from './sigv4.ts';

export interface AdminAuth {
  /** The admin key pair alone (not every key the services accept). */
  readonly admin: CredentialStore;
  /** The signing name the endpoint expects in the credential scope, e.g. 'cognito-idp'. */
  readonly service: string;
  readonly region: string;
}

export type AdminVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: SignatureErrorCode; readonly message: string };

/** What an unsigned caller (e.g. one with only the API key) is told: how to get in. */
export const adminSignatureHint = "sign the request with SigV4 and the stack's admin key pair (credentials.json in its state dir); the API key is not accepted";

/** Checks that `request`, whose whole body is `body`, is signed by the admin key pair for `auth.service`. */
export async function verifyAdminRequest(request: IncomingMessage, body: Buffer, auth: AdminAuth): Promise<AdminVerdict> {
  const verdict = await verifySigV4(
    { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, payloadHash: createHash('sha256').update(body).digest('hex') },
    { credentials: auth.admin, service: auth.service, region: auth.region },
  );
  if (verdict.ok) {
    // A presigned URL could be passed around like a bearer token; the hooks want the signer present.
    if (verdict.presigned) return { ok: false, code: 'AccessDeniedException', message: `presigned requests are not accepted: ${adminSignatureHint}` };
    return { ok: true };
  }
  const { code, message } = signatureErrorOf(verdict);
  return { ok: false, code, message: `${message} (${adminSignatureHint})` };
}
