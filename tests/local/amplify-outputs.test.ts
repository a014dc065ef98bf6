import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { amplifyOutputs, writeAmplifyOutputs } from '../../local/amplify-outputs.ts';

const local = amplifyOutputs({
  graphqlUrl: 'https://127.0.0.1:4750/graphql',
  region: 'us-east-1',
  apiKey: 'da2-local',
  userPool: {
    user_pool_id: 'us-east-1_p',
    user_pool_client_id: 'c',
    issuer: 'https://127.0.0.1:4750/p',
    jwks_uri: 'j',
    user_pool_endpoint: 'https://127.0.0.1:4750/cognito-idp',
    tokens_url: 't',
    confirmation_code_url: 'k',
  },
});
const deployed = { version: '1.3', data: { url: 'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql', aws_region: 'eu-west-1' } };

/** Each test's files in a directory of its own, all under one removed after the file's tests. */
const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-outputs-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function files() {
  const dir = mkdtempSync(path.join(workDir, 'case-'));
  return { file: path.join(dir, 'amplify_outputs.json'), fallback: path.join(dir, 'state', 'amplify_outputs.json'), dir };
}

describe('Function: writeAmplifyOutputs', () => {
  it('writes the requested file when there is none', () => {
    const { file, fallback } = files();
    expect(writeAmplifyOutputs(local, file, fallback)).toEqual({ path: file });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(local);
  });

  it('replaces outputs an earlier local start wrote', () => {
    const { file, fallback } = files();
    writeFileSync(file, JSON.stringify(amplifyOutputs({ graphqlUrl: 'https://127.0.0.1:9/graphql', region: 'us-east-1', apiKey: 'old', userPool: local.custom!.local_user_pool })));
    expect(writeAmplifyOutputs(local, file, fallback).notice).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(local);
  });

  it.each([
    ['a deployed stack', JSON.stringify(deployed), 'points at https://abc.appsync-api'],
    ['a file that is not JSON', '{ oops', 'not valid JSON'],
  ])('leaves %s as is, writes beside the state and says so', (_, content, reason) => {
    const { file, fallback } = files();
    writeFileSync(file, content);
    // The stack makes its state dir before it writes outputs.
    mkdirSync(path.dirname(fallback));
    const written = writeAmplifyOutputs(local, file, fallback);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(written.path).toBe(fallback);
    expect(written.notice).toContain(file);
    expect(written.notice).toContain(reason);
    expect(JSON.parse(readFileSync(fallback, 'utf8'))).toEqual(local);
  });
});
