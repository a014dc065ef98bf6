/**
 * Sign-in offline with unmodified aws-amplify v6, configured from the stack's amplify_outputs.json plus one
 * setting, the local pool's endpoint (`Auth.Cognito.userPoolEndpoint`, README: Signing in offline): signUp,
 * the code the pool "emailed" (read through the admin-signed hook), confirmSignUp, an SRP signIn, a GraphQL
 * call as the user that AppSync attributes to its sub, a forced refresh, and a global signOut after which the
 * refresh token is refused.
 */
import { randomUUID } from 'node:crypto';
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import type { KeyValueStorageInterface } from 'aws-amplify/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';
import { userPoolSigningName } from '../../local/cognito/routes.ts';
import { fetchAsAdmin } from '../support/admin-signing.ts';
import { amplifyOutputs, configureStackAmplify } from '../support/amplify-client.ts';

/** Amplify's token store, kept in a map so the test can read the refresh token Amplify holds. */
class MapStorage implements KeyValueStorageInterface {
  public readonly items = new Map<string, string>();
  public async setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  public async getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  public async removeItem(key: string) {
    this.items.delete(key);
  }
  public async clear() {
    this.items.clear();
  }
}

const storage = new MapStorage();
const outputs = amplifyOutputs();
const pool = outputs.custom!.local_user_pool;

/** The app's whole change for offline sign-in, as README's Signing in offline writes it: the pool's endpoint. */
function configureSignIn(): void {
  Amplify.configure(outputs);
  // Only the local stack's outputs have it (a deployed stack's have no `custom` at all).
  const local = (outputs as { custom?: { local_user_pool?: { user_pool_endpoint: string } } }).custom?.local_user_pool;
  const { Auth } = Amplify.getConfig();
  if (local && Auth) {
    Amplify.configure({
      ...Amplify.getConfig(),
      // What configure(outputs) set, plus the endpoint. Asserted: TypeScript cannot spread Amplify's union of
      // Cognito settings back into it.
      Auth: { Cognito: { ...Auth.Cognito, userPoolEndpoint: local.user_pool_endpoint } } as ResourcesConfig['Auth'],
    });
  }
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
}

async function pendingCode(email: string): Promise<string> {
  const response = await fetchAsAdmin(pool.confirmation_code_url, { method: 'POST', body: JSON.stringify({ email }) }, userPoolSigningName);
  if (!response.ok) throw new Error(`no code for ${email}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { code: string }).code;
}

/** Cognito's own refresh call, as Amplify sends it, for a refresh token Amplify no longer holds. */
async function refreshWith(refreshToken: string) {
  const response = await fetch(pool.user_pool_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.GetTokensFromRefreshToken' },
    body: JSON.stringify({ ClientId: pool.user_pool_client_id, RefreshToken: refreshToken }),
  });
  return { status: response.status, body: (await response.json()) as { __type?: string; message?: string } };
}

describe('Sign-in: aws-amplify v6 against the local user pool', () => {
  beforeAll(configureSignIn);
  // The e2e files share Amplify (vitest.config.ts): the next one's clients point it back at the shared stack.
  afterAll(() => configureStackAmplify());

  it('signs up, confirms, signs in with SRP, calls AppSync as the user, refreshes and signs out globally', async () => {
    const email = `amplify-${randomUUID()}@example.com`;
    const password = `Offline-${randomUUID().slice(0, 8)}-Pw1`;

    // Act 1: sign up and confirm with the code the pool "sent"
    const signedUp = await signUp({ username: email, password, options: { userAttributes: { email } } });
    expect(signedUp.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
    const confirmed = await confirmSignUp({ username: email, confirmationCode: await pendingCode(email) });
    expect(confirmed.isSignUpComplete).toBe(true);

    // Act 2: sign in (Amplify's default flow, USER_SRP_AUTH)
    const signedIn = await signIn({ username: email, password });
    expect(signedIn).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const session = await fetchAuthSession();
    const sub = session.tokens?.accessToken.payload.sub;
    expect(sub).toBe(signedUp.userId);
    expect((await getCurrentUser()).userId).toBe(sub);

    // Assess: AppSync takes the user-pool token and owns the user's upload by its sub
    const asUser = new LabelcastClient({ authMode: 'userPool' });
    const ticket = await asUser.requestUpload({ contentType: 'image/jpeg', sizeBytes: 1000, fileName: 'signed-in.jpg' });
    expect(await asUser.image(ticket.imageId)).toMatchObject({ id: ticket.imageId, owner: sub, status: 'PENDING' });

    // Act 3: a forced refresh gets new tokens from the refresh token
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    expect(refreshed.tokens?.accessToken.payload.sub).toBe(sub);
    expect(refreshed.tokens?.accessToken.toString()).not.toBe(session.tokens?.accessToken.toString());
    const refreshToken = [...storage.items].find(([key]) => key.endsWith('.refreshToken'))?.[1];
    expect(refreshToken).toEqual(expect.any(String));

    // Act 4: a global sign-out, then the refresh token Amplify held
    await signOut({ global: true });
    expect((await fetchAuthSession()).tokens).toBeUndefined();
    expect(await refreshWith(refreshToken!)).toEqual({ status: 400, body: { __type: 'NotAuthorizedException', message: 'Refresh Token has been revoked' } });
  });

  it("refuses a wrong password with Amplify's NotAuthorizedException", async () => {
    const email = `amplify-${randomUUID()}@example.com`;
    const password = `Offline-${randomUUID().slice(0, 8)}-Pw1`;
    await signUp({ username: email, password, options: { userAttributes: { email } } });
    await confirmSignUp({ username: email, confirmationCode: await pendingCode(email) });

    await expect(signIn({ username: email, password: `${password}x` })).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
  });
});
