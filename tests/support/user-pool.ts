/**
 * Users of the local user pool for e2e tests, the way an app holds them: tokens
 * minted by the stack's dev endpoint (quicker than a sign-up and sign-in, which
 * tests/e2e/sign-in.test.ts drives; the endpoint wants the stack's admin signature, as Cognito's Admin* APIs want
 * IAM) and handed to aws-amplify through a custom tokenProvider, so
 * `authMode: 'userPool'` sends them as it would Cognito's.
 */
import { randomUUID } from 'node:crypto';
import { decodeJWT, type TokenProvider } from 'aws-amplify/auth';
import { userPoolSigningName } from '../../local/cognito/routes.ts';
import { fetchAsAdmin } from './admin-signing.ts';
import { amplifyOutputs } from './amplify-client.ts';

export interface PoolUser {
  readonly username: string;
  readonly sub: string;
  readonly idToken: string;
  readonly accessToken: string;
}

/** Where the stack mints tokens (custom.local_user_pool.tokens_url of amplify_outputs.json). */
export function tokensUrl(): string {
  const pool = amplifyOutputs().custom?.local_user_pool;
  if (!pool) throw new Error('amplify_outputs.json has no custom.local_user_pool');
  return pool.tokens_url;
}

export interface MintUserArgs {
  /** A random one unless told. */
  readonly username?: string;
  /** 300 to 86400, as Cognito allows. @default 3600 */
  readonly expiresInSeconds?: number;
  /** Unix seconds, not in the future; an hour ago with a 5-minute lifetime mints an expired token. @default now */
  readonly issuedAt?: number;
}

/** Mints a fresh user through the dev endpoint, signed as the stack's admin. */
export async function mintUser(args: MintUserArgs = {}): Promise<PoolUser> {
  const username = args.username ?? `user-${randomUUID()}`;
  const body = JSON.stringify({ username, email: `${username}@example.com`, expiresInSeconds: args.expiresInSeconds, issuedAt: args.issuedAt });
  const response = await fetchAsAdmin(tokensUrl(), { method: 'POST', body }, userPoolSigningName);
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
