/**
 * A runaway resolver over real HTTPS: the local AppSync answers that request
 * with an ExecutionTimeout error once the sandbox's time limit passes, and
 * answers the next request normally. Query.image is wired to a fixture whose
 * request loops forever for id "spin".
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import { createResolverRuntime, type ResolverRuntime } from '../../local/appsync/resolvers/index.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { post } from '../local-appsync-server/https-client.ts';
import { unitField } from './harness.ts';
import { startedStateDir } from '../local-appsync-server/state-dir.ts';

const region = 'us-east-1';
const apiKey = 'da2-sandboxservertestkey0000';
const credentials = { accessKeyId: 'LKIASANDBOXSERVERTST', secretAccessKey: 'local/sandbox/server/secret/0123456789ab' };

describe('local AppSync with a runaway resolver', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-sandbox-', region);
    const real = createResolverRuntime({
      dynamoDb: { endpoint: 'http://127.0.0.1:9', region, credentials },
      tableNames: { imagesTable: 'unused' },
      invokeLambda: () => Promise.reject(new Error('no Lambda in this test')),
      tokenSecret: 'test-secret',
      evaluationTimeoutMs: 300,
    });
    const runaway = unitField('Query', 'image', 'sandbox/runaway', 'none');
    const runtime: ResolverRuntime = {
      resolveField: (args) => real.resolveField(args.info.fieldName === 'image' ? { ...args, wiring: runaway } : args),
    };
    appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey, credentials: credentialStore(credentials), runtime });
    ca = readFileSync(appsync.caPath, 'utf8');
  });

  afterAll(async () => {
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const query = (id: string) =>
    post(appsync.graphqlUrl, ca, JSON.stringify({ query: `query { image(id: "${id}") { id } }` }), {
      'content-type': 'application/json',
      'x-api-key': apiKey,
    });

  it('fails the runaway request with ExecutionTimeout and answers the next', async () => {
    const stuck = await query('spin');
    expect(stuck.status).toBe(200);
    expect(stuck.json()).toMatchObject({
      data: { image: null },
      errors: [{ path: ['image'], errorType: 'ExecutionTimeout', message: 'Execution timed out.' }],
    });
    const next = await query('fine');
    expect(next.json()).toEqual({ data: { image: { id: 'fine' } } });
  });
});
