/**
 * The stack's own endpoints that are not AWS APIs, through the running stack
 * as an outsider holding the API key (which the gallery serves to anyone)
 * would call them: minting user-pool tokens and Rekognition's test hooks
 * answer only the admin key pair's SigV4 signature. And what the stack wrote
 * to its state dir is private to its owner.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { faultsPath } from '../../local/rekognition/faults.ts';
import { statsPath } from '../../local/rekognition/stats.ts';
import { amplifyOutputs, postOperation } from '../support/amplify-client.ts';
import { LabelsDocument } from '../../client-example/graphql/index.ts';
import { fetchAsAdmin } from '../support/admin-signing.ts';
import { rekognitionStats } from '../support/rekognition-stats.ts';
import { mintUser, tokensUrl } from '../support/user-pool.ts';
import { userPoolSigningName } from '../../local/cognito/routes.ts';

const asJson = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });

describe('Admin endpoints: minting user-pool tokens', () => {
  it('refuses a caller with the API key, whatever it asks for', async () => {
    // Prepare: what an outsider would want: any user, in any group, for ever
    const body = JSON.stringify({ username: 'victim', groups: ['admins'], expiresInSeconds: 1e300 });

    // Act
    const response = await fetch(tokensUrl(), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': amplifyOutputs().data.api_key }, body });

    // Assess
    expect(await asJson(response)).toEqual({
      status: 403,
      body: { __type: 'MissingAuthenticationTokenException', message: expect.stringContaining('the API key is not accepted') },
    });
  });

  it('mints for the admin key pair a token AppSync accepts', async () => {
    const user = await mintUser();
    const { status, body } = await postOperation(LabelsDocument, {}, { authorization: user.accessToken });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it("refuses the admin a lifetime past Cognito's one day", async () => {
    const response = await fetchAsAdmin(tokensUrl(), { method: 'POST', body: JSON.stringify({ username: 'alice', expiresInSeconds: 1e300 }) }, userPoolSigningName);
    expect(await asJson(response)).toEqual({
      status: 400,
      body: { __type: 'InvalidParameterException', message: 'expiresInSeconds must be an integer from 300 (5 minutes) to 86400 (1 day), as Cognito allows' },
    });
  });
});

describe("Admin endpoints: Rekognition's test hooks", () => {
  it('refuse unsigned callers, API key or not, and answer the admin', async () => {
    // Prepare
    const endpoint = inject('rekognitionEndpoint');
    const apiKey = { 'x-api-key': amplifyOutputs().data.api_key };
    const fault = JSON.stringify({ operation: 'DetectLabels', errorCode: 'InternalServerError' });

    // Act
    const attempts = await Promise.all([
      fetch(new URL(statsPath, endpoint), { headers: apiKey }),
      fetch(new URL(faultsPath, endpoint), { method: 'PUT', headers: apiKey, body: fault }),
      fetch(new URL(faultsPath, endpoint), { method: 'DELETE' }),
    ]);

    // Assess: refused, and no fault set
    for (const attempt of attempts) expect(await asJson(attempt)).toMatchObject({ status: 400, body: { __type: 'MissingAuthenticationTokenException' } });
    const faults = await fetchAsAdmin(new URL(faultsPath, endpoint), { method: 'GET' }, 'rekognition');
    expect(await asJson(faults)).toEqual({ status: 200, body: { faults: [] } });
    expect(await rekognitionStats()).toHaveProperty('DetectLabels');
  });
});

describe('State dir: private to its owner', () => {
  it('holds only directories 0700 and files 0600 (keys, secrets, tables, objects, logs)', () => {
    // Prepare: everything the running stack has written so far
    const offenders: string[] = [];
    const seen = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const entryPath = path.join(dir, entry.name);
        const mode = statSync(entryPath).mode & 0o777;
        if (entry.isDirectory()) {
          seen.add(`${entry.name}/`);
          if (mode !== 0o700) offenders.push(`${entryPath} ${mode.toString(8)}`);
          walk(entryPath);
        } else if (entry.isFile()) {
          seen.add(entry.name);
          if (mode !== 0o600) offenders.push(`${entryPath} ${mode.toString(8)}`);
        }
      }
    };

    // Act
    const stateDir = inject('stateDir');
    walk(stateDir);

    // Assess
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect([...seen]).toEqual(expect.arrayContaining(['credentials.json', 'secrets.json', 'user-pool.json', 'server-key.pem', 'dynamodb/', 's3/', 'logs/', 'CURRENT']));
    expect(offenders).toEqual([]);
  });
});
