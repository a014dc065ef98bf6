/**
 * AppSync's whole-request deadline over HTTPS: a resolver that has not
 * answered when the (here shortened) deadline passes leaves its field null
 * with ExecutionTimeout while the fields that did answer keep their data, a
 * mutation field after it does not run, and the server answers the next
 * request. The slow resolver answers only when the test lets it, after its
 * request was answered: nothing here depends on how long anything takes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAppSync, type LocalAppSync } from '../../local/appsync/index.ts';
import type { ResolveFieldArgs, ResolveFieldResult, ResolverRuntime } from '../../local/appsync/resolvers/index.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { fakeRuntime, sampleImage } from './fake-runtime.ts';
import { post } from './https-client.ts';
import { startedStateDir } from './state-dir.ts';

const region = 'us-east-1';
const apiKey = 'da2-deadlinetestapikey0000000';
const credentials = { accessKeyId: 'LKIADEADLINETESTKEY0', secretAccessKey: 'local/deadline/secret/key/0123456789abcd' };

describe('Local AppSync: the request deadline', () => {
  let stateDir: string;
  let appsync: LocalAppSync;
  let ca: string;
  const fake = fakeRuntime();
  /** Resolver calls for the id "slow", answered only when released. */
  const held: { args: ResolveFieldArgs; answer: (result: ResolveFieldResult) => void }[] = [];
  const releaseHeld = () => {
    for (const call of held.splice(0)) call.answer({ data: { ...sampleImage, id: 'slow' }, errors: [] });
  };

  beforeAll(async () => {
    stateDir = await startedStateDir('local-appsync-deadline-', region);
    const runtime: ResolverRuntime = {
      resolveField: (args) => {
        if (args.arguments.id !== 'slow') return fake.resolveField(args);
        fake.calls.push(args);
        return new Promise((answer) => held.push({ args, answer }));
      },
    };
    appsync = await startLocalAppSync({ stateDir, port: 0, region, apiKey, credentials: credentialStore(credentials), runtime, requestTimeoutMs: 200 });
    ca = readFileSync(appsync.caPath, 'utf8');
  });

  afterAll(async () => {
    releaseHeld();
    await appsync?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const send = async (query: string) => {
    const response = await post(appsync.graphqlUrl, ca, JSON.stringify({ query }), { 'content-type': 'application/json', 'x-api-key': apiKey });
    return { status: response.status, body: response.json() };
  };

  it('answers a field still resolving at the deadline with ExecutionTimeout, and the fields that answered with their data', async () => {
    // Act
    const answered = await send('query { slow: image(id: "slow") { id } fast: image(id: "img-1") { id } }');
    releaseHeld(); // its answer comes too late to matter

    // Assess
    expect(answered).toEqual({
      status: 200,
      body: {
        data: { slow: null, fast: { id: 'img-1' } },
        errors: [
          {
            path: ['slow'],
            data: null,
            errorType: 'ExecutionTimeout',
            errorInfo: null,
            locations: [{ line: 1, column: 9, sourceName: null }],
            message: 'Execution timed out.',
          },
        ],
      },
    });
  });

  it('runs no mutation field after the deadline, and answers the next request', async () => {
    // Prepare
    fake.calls.length = 0;

    // Act
    const answered = await send('mutation { first: deleteImage(id: "slow") { id } second: deleteImage(id: "img-1") { id } }');
    releaseHeld();
    const next = await send('query { image(id: "img-1") { id } }');

    // Assess: mutation fields run one after another, so the second would have started after the deadline.
    expect(answered.body).toMatchObject({
      data: { first: null, second: null },
      errors: [
        { path: ['first'], errorType: 'ExecutionTimeout', message: 'Execution timed out.' },
        { path: ['second'], errorType: 'ExecutionTimeout', message: 'Execution timed out.' },
      ],
    });
    expect(fake.calls.map((call) => call.arguments.id)).toEqual(['slow', 'img-1']);
    expect(next.body).toEqual({ data: { image: { id: 'img-1' } } });
  });
});
