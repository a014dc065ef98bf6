/**
 * HTTP routes of the local user pool, served beside local AppSync:
 * - `GET /cognito/<userPoolId>/.well-known/jwks.json`: the public keys, where
 *   Cognito serves them under its issuer.
 * - `POST /_local/cognito/<userPoolId>/tokens` with `{ username, email?, groups?,
 *   expiresInSeconds?, issuedAt? }`: mints a user's ID and access tokens. Not
 *   an AWS API (apps sign in through ./identity-provider.ts; this is for tests
 *   and dev tools). Like Cognito's Admin* APIs, it
 *   needs a SigV4 signature (signing name `cognito-idp`) of the stack's admin
 *   key pair, body included: the API key, which the gallery serves to anyone,
 *   is refused, so only the developer can make a user or put one in a group.
 *   Lifetimes are Cognito's, 5 minutes to 1 day. No CORS is answered.
 * - `POST /_local/cognito/<userPoolId>/confirmation-code` with `{ email }`: the
 *   sign-up code the pool "sent" that user (Cognito emails it; offline it is
 *   written to the stack's log), `{ code, expiresAt }` (unix ms), for tests.
 *   Signed the same way: a code is a credential, never readable with the API key.
 * Errors are Cognito's JSON shape, `{ "__type", "message" }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from '../http-body.ts';
import { verifyAdminRequest } from '../iam/admin-request.ts';
import type { CredentialStore } from '../iam/credentials.ts';
import { BodyTooLargeError } from '../errors.ts';
import { MintTokensError } from './errors.ts';
import { nameCharacters } from './request-fields.ts';
import type { UserPoolApi } from './user-pool-api.ts';
import type { LocalUserPool, MintTokensArgs } from './user-pool.ts';

/** The signing name of Cognito user pools' API, which the token endpoint stands in for. */
export const userPoolSigningName = 'cognito-idp';

export interface UserPoolRoutesOptions {
  readonly pool: LocalUserPool;
  /** The stack's admin key pair, the only one that may mint tokens. */
  readonly admin: CredentialStore;
  readonly region: string;
  /** The pool's API, whose pending codes the confirmation-code route reads. @default no such route */
  readonly userPoolApi?: UserPoolApi;
}

const maxBodyBytes = 16 * 1024;
/** Cognito's bounds: a user is in at most 100 groups; a group name is 1 to 128 letters, marks, symbols, numbers or punctuation. */
const maxGroups = 100;
const groupNamePattern = new RegExp(`^${nameCharacters}{1,128}$`, 'u');

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const sendError = (response: ServerResponse, status: number, type: string, message: string) => send(response, status, { __type: type, message });

/** The whole body, or undefined when it runs past maxBodyBytes. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  try {
    return await readBoundedBody(request, maxBodyBytes, () => new BodyTooLargeError(maxBodyBytes));
  } catch (error) {
    if (error instanceof BodyTooLargeError) return undefined;
    throw error;
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The mint arguments, or a message naming what is wrong; lifetimes are checked by the pool. */
function mintArgs(body: unknown): MintTokensArgs | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { username, email, groups, expiresInSeconds, issuedAt, ...rest } = body as Record<string, unknown>;
  const unknownFields = Object.keys(rest);
  if (unknownFields.length > 0) return `unknown field(s): ${unknownFields.join(', ')}`;
  if (typeof username !== 'string' || username.trim() === '' || username.length > 128) return 'username must be 1 to 128 characters';
  if (email !== undefined && typeof email !== 'string') return 'email must be a string';
  if (groups !== undefined) {
    if (!Array.isArray(groups) || groups.length > maxGroups || !groups.every((group) => typeof group === 'string' && groupNamePattern.test(group))) {
      return `groups must be at most ${maxGroups} group names of 1 to 128 printable characters`;
    }
  }
  if (expiresInSeconds !== undefined && typeof expiresInSeconds !== 'number') return 'expiresInSeconds must be a number';
  if (issuedAt !== undefined && typeof issuedAt !== 'number') return 'issuedAt must be a number';
  return { username, email, groups: groups as string[] | undefined, expiresInSeconds, issuedAt };
}

/** Handles the pool's routes; returns false for any other path, which the caller serves. */
export function userPoolRoutes(options: UserPoolRoutesOptions) {
  const { pool } = options;
  const jwksPath = `/cognito/${pool.userPoolId}/.well-known/jwks.json`;
  const tokensPath = `/_local/cognito/${pool.userPoolId}/tokens`;
  const codePath = `/_local/cognito/${pool.userPoolId}/confirmation-code`;
  const adminAuth = { admin: options.admin, service: userPoolSigningName, region: options.region };
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    // The raw path, not `new URL`, which throws on targets such as `//[`: those are simply not ours.
    const pathname = (request.url ?? '/').split('?', 1)[0];
    if (pathname === jwksPath && request.method === 'GET') {
      send(response, 200, pool.jwks());
      return true;
    }
    const api = options.userPoolApi;
    const isCodePath = pathname === codePath && api !== undefined;
    if (pathname !== tokensPath && !isCodePath) return false;
    if (request.method !== 'POST') {
      sendError(response, 405, 'MethodNotAllowed', isCodePath ? 'Use POST to read a confirmation code.' : 'Use POST to mint tokens.');
      return true;
    }
    const body = await readBody(request);
    if (body === undefined) {
      sendError(response, 413, 'RequestEntityTooLarge', `The body must be at most ${maxBodyBytes} bytes.`);
      return true;
    }
    const admitted = await verifyAdminRequest(request, body, adminAuth);
    if (!admitted.ok) {
      sendError(response, 403, admitted.code, admitted.message);
      return true;
    }
    if (isCodePath) {
      const parsed = parseJson(body) as { email?: unknown } | undefined;
      const email = typeof parsed === 'object' && parsed !== null ? parsed.email : undefined;
      if (typeof email !== 'string' || email === '') {
        sendError(response, 400, 'InvalidParameterException', 'body must be { "email": "<the user\'s email>" }');
        return true;
      }
      const pending = api.pendingCode(email);
      if (!pending) sendError(response, 404, 'ResourceNotFoundException', 'No user with that email has a confirmation code pending.');
      else send(response, 200, pending);
      return true;
    }
    const args = mintArgs(parseJson(body));
    if (typeof args === 'string') {
      sendError(response, 400, 'InvalidParameterException', args);
      return true;
    }
    try {
      send(response, 200, pool.mintTokens(args));
    } catch (error) {
      if (!(error instanceof MintTokensError)) throw error;
      sendError(response, 400, 'InvalidParameterException', error.message);
    }
    return true;
  };
}
