/**
 * That an unknown user's PASSWORD_VERIFIER answer costs what a real user's wrong one does: the claim key (two
 * modular exponentiations, local/cognito/srp.ts's passwordClaimKey) is computed for both. Counted with a spy on
 * srp.ts rather than timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CognitoApiError } from '../../local/cognito/errors.ts';
import { signInService } from '../../local/cognito/sign-in.ts';
import * as srp from '../../local/cognito/srp.ts';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';

vi.mock(import('../../local/cognito/srp.ts'), async (original) => {
  const actual = await original();
  return { ...actual, passwordClaimKey: vi.fn(actual.passwordClaimKey) };
});

const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-stand-in-claim-key-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('PASSWORD_VERIFIER answers', () => {
  it("compute the claim key for an unknown user's stand-in, as for a real user's wrong answer", () => {
    const pool = openLocalUserPool({ stateDir: workDir, region: 'us-east-1', origin: 'https://127.0.0.1:1' });
    const service = signInService({ pool, stateDir: workDir, log: () => {} });
    const call = (operation: string, body: Record<string, unknown>) => service.call(operation, { ClientId: pool.clientId, ...body });
    call('SignUp', { Username: 'real@example.com', Password: 'Sunny-orchard-42' });
    call('ConfirmSignUp', { Username: 'real@example.com', ConfirmationCode: service.pendingCode('real@example.com')?.code });

    const keysComputed = (email: string) => {
      const challenge = (call('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: email, SRP_A: 'ab'.repeat(300) } }) as { ChallengeParameters: Record<string, string> }).ChallengeParameters;
      vi.mocked(srp.passwordClaimKey).mockClear();
      const responses = { USERNAME: email, PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE: Buffer.alloc(32).toString('base64'), TIMESTAMP: 'Tue Dec 1 08:09:59 UTC 2026' };
      expect(() => call('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: responses })).toThrow(CognitoApiError);
      return vi.mocked(srp.passwordClaimKey).mock.calls.length;
    };
    expect({ real: keysComputed('real@example.com'), unknown: keysComputed('nobody@example.com') }).toEqual({ real: 1, unknown: 1 });
  });
});
