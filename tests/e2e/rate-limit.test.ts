/**
 * The API's rate limit per client address (api/rate-limit.ts) on a stack of its own started with the smallest limit
 * AWS WAF takes and its longest window, through the stack's settings (LABELCAST_API_RATE_LIMIT=10,
 * LABELCAST_API_RATE_LIMIT_WINDOW_SECONDS=600: the stack counts on the real clock, and a loaded machine may spread
 * the test's requests over more than a shorter window, letting the 11th in), over plain HTTPS and WSS from 127.0.0.1
 * as any client: requests under the limit are answered, the one over it gets AppSync's WAF answer, a realtime
 * connect counts and is refused alike (our reading: AWS documents WAF on "HTTP traffic accepted by your API", not
 * whether it sees the realtime host's connect), and requests signed with the stack's admin key pair (SigV4, as the
 * labeler's publishes) are neither counted nor blocked. The window passing (60 s at least on WAF) is shown on the
 * local AppSync with its clock in the test's hands (tests/local-appsync-server/rate-limit.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { ApiRateLimitSetting } from '../../api/rate-limit.ts';
import { stackCredentials, type RunningStack } from '../../local/child-process-stack.ts';
import { adminFetch } from '../../local/iam/admin-fetch.ts';
import { startOwnStack, stopOwnStack } from '../support/own-stack.ts';
import { realtimeHandshake } from '../support/realtime-handshake.ts';

const limit = 10;
/** WAF's longest window: every request of the test stays in it however slowly the machine serves them. */
const windowSeconds = 600;
const wafAnswer = { errors: [{ errorType: 'WAFForbiddenException', message: '403 Forbidden' }] };
const imageQuery = JSON.stringify({ query: '{ image(id: "no-such-image") { id } }' });

describe('Rate limit: the WAF rule per client address', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-rate-limit-'));
  let stack: RunningStack | undefined;
  let outputs: { data: { url: string; api_key: string; aws_region: string } };

  beforeAll(async () => {
    stack = await startOwnStack(stateDir, {
      [ApiRateLimitSetting.offlineVariables.limit]: String(limit),
      [ApiRateLimitSetting.offlineVariables.windowSeconds]: String(windowSeconds),
    });
    outputs = JSON.parse(readFileSync(stack.outputsPath, 'utf8'));
  }, 180_000);
  afterAll(() => stopOwnStack(stack, stateDir));

  const withKey = async () => {
    const response = await fetch(outputs.data.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': outputs.data.api_key }, body: imageQuery });
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as unknown };
  };
  const signed = async () => {
    const response = await adminFetch(outputs.data.url, { method: 'POST', body: imageQuery }, { credentials: stackCredentials(stateDir), region: outputs.data.aws_region, service: 'appsync' });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  /** A realtime connect with the API key: 101 when it upgraded, else the refusal's status and body. */
  const connect = async () => {
    const url = new URL(outputs.data.url);
    const { status, body } = await realtimeHandshake({ realtimeUrl: `wss://${url.host}${url.pathname}/realtime`, host: url.host, apiKey: outputs.data.api_key });
    return { status, body };
  };

  it('answers up to the limit, refuses the next with the WAF answer, and never counts or blocks a SigV4-signed request', async () => {
    // Arrange: 9 API-key queries and a realtime connect (10 counted, by our reading that WAF sees the connect), with a signed query after each, which do not count.
    const answered: number[] = [];
    const signedAnswers: unknown[] = [];
    for (let i = 0; i < limit - 1; i++) {
      answered.push((await withKey()).status);
      signedAnswers.push((await signed()).status);
    }
    const connected = await connect();

    // Act
    const over = await withKey();
    const refusedConnect = await connect();
    const signedWhileBlocked = await signed();

    // Assess
    expect(answered).toEqual(Array<number>(limit - 1).fill(200));
    expect(signedAnswers).toEqual(Array<number>(limit - 1).fill(200));
    expect(connected.status).toBe(101);
    expect(over).toEqual({ status: 403, errorType: 'WAFForbiddenException', body: wafAnswer });
    expect(refusedConnect).toEqual({ status: 403, body: JSON.stringify(wafAnswer) });
    // The admin's signed query reaches AppSync, which applies the field's own auth.
    expect(signedWhileBlocked.status).toBe(200);
    expect(signedWhileBlocked.body).not.toEqual(wafAnswer);
  });

  it('tells a blocked CLI user the rate limit refused the request, and what to do', async () => {
    // Act: the example CLI, as a user runs it, from the address blocked above.
    const ran = await promisify(execFile)(process.execPath, ['client-example/cli/labelcast.js', 'labels', '--outputs', stack?.outputsPath ?? ''], {
      cwd: repoRoot,
      env: { ...process.env, LABELCAST_STATE_DIR: stateDir },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );

    // Assess
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain("labelcast: WAFForbiddenException: too many requests from this address: the API's rate limit (AWS WAF) refused this one; wait a few minutes and try again");
  });
});
