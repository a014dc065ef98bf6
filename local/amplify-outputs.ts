/** amplify_outputs.json for the local stack, so `Amplify.configure(outputs)` just works. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { amplifyAuthOutputs, amplifyDataOutputs, type AmplifyAuthOutputs, type AmplifyDataOutputs } from '../api/amplify-outputs.ts';
import { localAuthModes } from '../api/manifest.ts';

/**
 * The local user pool's endpoints, under `custom` (Amplify's free-form section). The pool itself is in `auth`,
 * as a deployed stack's is; Amplify's outputs have no field for the pool's endpoint, which is Cognito's
 * unless told, so an app passes `user_pool_endpoint` as `Auth.Cognito.userPoolEndpoint` (README: Signing in
 * offline). Its presence also marks the file as the local stack's (foreignOutputsUrl).
 */
export interface LocalUserPoolOutputs {
  readonly user_pool_id: string;
  readonly user_pool_client_id: string;
  readonly issuer: string;
  readonly jwks_uri: string;
  /** The pool's Cognito Identity Provider API (sign-up, SRP sign-in, refresh, sign-out): Amplify's `Auth.Cognito.userPoolEndpoint`. */
  readonly user_pool_endpoint: string;
  /** Dev-only: POST `{ username, email?, groups?, expiresInSeconds?, issuedAt? }`, SigV4-signed by the stack's admin key pair (`cognito-idp`) → `{ idToken, accessToken, expiresIn, sub }`. */
  readonly tokens_url: string;
  /** Test hook: POST `{ email }`, signed as tokens_url is → `{ code, expiresAt }`, the sign-up code the pool "emailed" (also in the stack's log). */
  readonly confirmation_code_url: string;
}

export interface AmplifyOutputs {
  readonly version: '1.3';
  readonly auth?: AmplifyAuthOutputs;
  readonly data: AmplifyDataOutputs;
  readonly custom?: { readonly local_user_pool: LocalUserPoolOutputs };
}

export function amplifyOutputs(args: {
  graphqlUrl: string;
  region: string;
  apiKey: string;
  userPool?: LocalUserPoolOutputs;
}): AmplifyOutputs {
  const { userPool, ...data } = args;
  return {
    version: '1.3',
    ...(userPool ? { auth: amplifyAuthOutputs({ region: args.region, userPoolId: userPool.user_pool_id, clientId: userPool.user_pool_client_id }) } : {}),
    data: amplifyDataOutputs({ ...data, authModes: localAuthModes }),
    ...(userPool ? { custom: { local_user_pool: userPool } } : {}),
  };
}

/** Where the local outputs went, and why not to the requested file when they could not. */
export interface WrittenOutputs {
  readonly path: string;
  /** Set when `file` was left as is: one line for the person who started the stack. */
  readonly notice?: string;
}

/**
 * Writes the local stack's outputs to `file`, unless `file` holds something the
 * local stack did not write (a deployed stack's outputs from
 * `infra/outputs-to-amplify.ts`, or a file it cannot read): that file is left as
 * is, the outputs go to `fallback`, and the notice says so. A restart must never
 * silently point a deployed app's config at 127.0.0.1.
 */
export function writeAmplifyOutputs(outputs: AmplifyOutputs, file: string, fallback: string): WrittenOutputs {
  const ours = path.resolve(file) === path.resolve(fallback) || !existsSync(file);
  const foreign = ours ? undefined : foreignOutputsUrl(readFileSync(file, 'utf8'));
  const target = foreign === undefined ? file : fallback;
  writeFileSync(target, `${JSON.stringify(outputs, null, 2)}\n`);
  if (foreign === undefined) return { path: target };
  return {
    path: target,
    notice: `${file} is not the local stack's (${foreign}); left as is. Local outputs: ${fallback} (CLI: --outputs ${fallback})`,
  };
}

/**
 * What makes an existing file someone else's: undefined when the local stack
 * wrote it (its user pool is the local one and its URL is on loopback),
 * otherwise a short description of what it holds.
 */
export function foreignOutputsUrl(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const outputs = parsed as Partial<AmplifyOutputs> | null;
  const url = typeof outputs?.data?.url === 'string' ? outputs.data.url : undefined;
  if (url === undefined) return 'no data.url';
  const local = outputs?.custom?.local_user_pool !== undefined && isLoopbackUrl(url);
  return local ? undefined : `points at ${url}`;
}

function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}
