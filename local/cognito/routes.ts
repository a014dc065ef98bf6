/**
 * HTTP routes of the local user pool, served beside local AppSync:
 * - `GET /cognito/<userPoolId>/.well-known/jwks.json`: the public keys, where
 *   Cognito serves them under its issuer.
 * - `POST /_local/cognito/<userPoolId>/tokens` with `{ username, email?, groups?,
 *   expiresInSeconds? }`: mints a user's ID and access tokens. Not an AWS API
 *   (there is no sign-in offline); it needs the stack's API key, and answers
 *   no CORS, so web pages of other origins cannot mint tokens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from '../http-body.ts';
import type { LocalUserPool, MintTokensArgs } from './user-pool.ts';

export interface UserPoolRoutesOptions {
  readonly pool: LocalUserPool;
  /** Required in `x-api-key` to mint tokens. */
  readonly apiKey: string;
}

const maxBodyBytes = 16 * 1024;

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const sameSecret = (given: string, expected: string) =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

class BodyTooLarge extends Error {}

/** The body as JSON; undefined when it is too large or not JSON, which mintArgs refuses. */
async function readJson(request: IncomingMessage): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBoundedBody(request, maxBodyBytes, () => new BodyTooLarge());
  } catch (error) {
    if (error instanceof BodyTooLarge) return undefined;
    throw error;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function mintArgs(body: unknown): MintTokensArgs | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const { username, email, groups, expiresInSeconds } = body as Record<string, unknown>;
  if (typeof username !== 'string' || username.trim() === '' || username.length > 128) return 'username must be 1 to 128 characters';
  if (email !== undefined && typeof email !== 'string') return 'email must be a string';
  if (groups !== undefined && !(Array.isArray(groups) && groups.every((group) => typeof group === 'string'))) return 'groups must be strings';
  if (expiresInSeconds !== undefined && (typeof expiresInSeconds !== 'number' || !Number.isInteger(expiresInSeconds))) {
    return 'expiresInSeconds must be an integer';
  }
  return { username, email, groups: groups as string[] | undefined, expiresInSeconds };
}

/** Handles the pool's routes; returns false for any other path, which the caller serves. */
export function userPoolRoutes(options: UserPoolRoutesOptions) {
  const { pool } = options;
  const jwksPath = `/cognito/${pool.userPoolId}/.well-known/jwks.json`;
  const tokensPath = `/_local/cognito/${pool.userPoolId}/tokens`;
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const pathname = new URL(request.url ?? '/', 'https://local').pathname;
    if (pathname === jwksPath && request.method === 'GET') {
      send(response, 200, pool.jwks());
      return true;
    }
    if (pathname !== tokensPath) return false;
    if (request.method !== 'POST') {
      send(response, 405, { message: 'Method not allowed.' });
      return true;
    }
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey !== 'string' || !sameSecret(apiKey, options.apiKey)) {
      send(response, 401, { message: 'x-api-key with the stack API key is required to mint tokens.' });
      return true;
    }
    const args = mintArgs(await readJson(request));
    if (typeof args === 'string') {
      send(response, 400, { message: args });
      return true;
    }
    send(response, 200, pool.mintTokens(args));
    return true;
  };
}
