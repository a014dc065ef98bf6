/** amplify_outputs.json for the local stack, so `Amplify.configure(outputs)` just works. */
import { writeFileSync } from 'node:fs';
import { amplifyDataOutputs, type AmplifyDataOutputs } from '../api/amplify-outputs.ts';
import { localAuthModes } from '../api/manifest.ts';

/**
 * The local user pool, under `custom` (Amplify's free-form section): not
 * `auth`, which would send Amplify's sign-in to AWS. Apps get tokens from
 * `tokens_url` and hand them to Amplify with a custom `tokenProvider`.
 */
export interface LocalUserPoolOutputs {
  readonly user_pool_id: string;
  readonly user_pool_client_id: string;
  readonly issuer: string;
  readonly jwks_uri: string;
  /** Dev-only: POST `{ username, email?, groups?, expiresInSeconds?, issuedAt? }`, SigV4-signed by the stack's admin key pair (`cognito-idp`) → `{ idToken, accessToken, expiresIn, sub }`. */
  readonly tokens_url: string;
}

export interface AmplifyOutputs {
  readonly version: '1.3';
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
    data: amplifyDataOutputs({ ...data, authModes: localAuthModes }),
    ...(userPool ? { custom: { local_user_pool: userPool } } : {}),
  };
}

export function writeAmplifyOutputs(file: string, outputs: AmplifyOutputs): void {
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
}
