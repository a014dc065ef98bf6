/**
 * Users of the local user pool for e2e tests, the way an app holds them: tokens
 * minted by the stack's dev endpoint (there is no sign-in offline) and handed
 * to aws-amplify through a custom tokenProvider, so `authMode: 'userPool'`
 * sends them as it would Cognito's.
 */
import { randomUUID } from 'node:crypto';
import { decodeJWT, type TokenProvider } from 'aws-amplify/auth';
import { amplifyOutputs } from './amplify-client.ts';

export interface PoolUser {
  readonly username: string;
  readonly sub: string;
  readonly idToken: string;
  readonly accessToken: string;
}

/** Mints a fresh user (a random username unless told) through the dev endpoint. */
export async function mintUser(args: { username?: string; expiresInSeconds?: number } = {}): Promise<PoolUser> {
  const outputs = amplifyOutputs();
  const pool = outputs.custom?.local_user_pool;
  if (!pool) throw new Error('amplify_outputs.json has no custom.local_user_pool');
  const username = args.username ?? `user-${randomUUID()}`;
  const response = await fetch(pool.tokens_url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': outputs.data.api_key },
    body: JSON.stringify({ username, email: `${username}@example.com`, expiresInSeconds: args.expiresInSeconds }),
  });
  if (!response.ok) throw new Error(`minting tokens failed: HTTP ${response.status} ${await response.text()}`);
  const tokens = (await response.json()) as { sub: string; idToken: string; accessToken: string };
  return { username, ...tokens };
}

/** A tokenProvider whose signed-in user can be switched between calls. */
export function switchableTokenProvider(): TokenProvider & { signIn(user: PoolUser | undefined): void } {
  let current: PoolUser | undefined;
  return {
    signIn(user) {
      current = user;
    },
    async getTokens() {
      if (!current) return null;
      return { accessToken: decodeJWT(current.accessToken), idToken: decodeJWT(current.idToken) };
    },
  };
}
