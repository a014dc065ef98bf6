/**
 * The local pool's SRP (local/cognito/srp.ts) against aws-amplify v6's own client code: a verifier made from a
 * password, the challenge's B and salt, and the client's signature over the secret block must agree exactly,
 * and a wrong password must not.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  makeVerifier,
  modPow,
  paddedHex,
  passwordClaimKey,
  passwordClaimSignature,
  poolNameOf,
  serverEphemeral,
  signatureMatches,
  srpN,
  timestampPattern,
  validClientPublic,
} from '../../local/cognito/srp.ts';
import { amplifySrpClient } from '../support/amplify-srp.ts';

const userPoolId = 'us-east-1_AbCdEfGhI';
const poolName = poolNameOf(userPoolId);

/** The server's side of one sign-in, as the pool runs it, with the client's answer checked. */
async function signIn(stored: string, typed: string) {
  const userId = randomUUID();
  const verifier = makeVerifier(poolName, userId, stored);
  const client = await amplifySrpClient(userPoolId);
  const ephemeral = serverEphemeral(verifier.verifierHex);
  const secretBlock = randomBytes(64).toString('base64');
  const challenge = { SALT: verifier.saltHex, SRP_B: ephemeral.publicHex, SECRET_BLOCK: secretBlock, USERNAME: userId, USER_ID_FOR_SRP: userId };
  const answer = await client.passwordVerifier(challenge, typed);
  const key = passwordClaimKey({ aHex: client.srpA, bPublicHex: ephemeral.publicHex, bSecretHex: ephemeral.secretHex, verifierHex: verifier.verifierHex });
  const expected = passwordClaimSignature(key!, poolName, userId, Buffer.from(secretBlock, 'base64'), answer.TIMESTAMP!);
  return { answer, matches: signatureMatches(expected, answer.PASSWORD_CLAIM_SIGNATURE!) };
}

describe('Function: paddedHex', () => {
  it.each([
    [20n, '14'],
    [56n, '38'],
    [200n, '00c8'],
    [236n, '00ec'],
    [0x1abcn, '1abc'],
    [0x8000n, '008000'],
  ])('writes %d as Java BigInteger bytes would: %s (the vectors of Amplify getPaddedHex comment)', (value, hex) => {
    expect(paddedHex(value)).toBe(hex);
  });
});

describe('Function: modPow', () => {
  it('agrees with small known powers and with Fermat in the group', () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modPow(2n, srpN - 1n, srpN)).toBe(1n);
  });
});

describe('SRP: the pool against Amplify client', () => {
  it("accepts Amplify's PASSWORD_CLAIM_SIGNATURE for the right password", async () => {
    const { answer, matches } = await signIn('Correct-horse-9-battery', 'Correct-horse-9-battery');
    expect(matches).toBe(true);
    expect(answer.TIMESTAMP).toMatch(timestampPattern);
  });

  it('refuses the signature made with a wrong password', async () => {
    expect((await signIn('Correct-horse-9-battery', 'Correct-horse-9-batterz')).matches).toBe(false);
  });

  it('keeps a salt and verifier that say nothing of the password and differ per user', () => {
    const first = makeVerifier(poolName, randomUUID(), 'Correct-horse-9-battery');
    const second = makeVerifier(poolName, randomUUID(), 'Correct-horse-9-battery');
    expect(first.verifierHex).not.toBe(second.verifierHex);
    expect(JSON.stringify(first)).not.toContain('battery');
  });

  it('refuses an A that is 0 mod N, or not hex', () => {
    expect(validClientPublic(srpN.toString(16))).toBe(false);
    expect(validClientPublic('0')).toBe(false);
    expect(validClientPublic('xyz')).toBe(false);
    expect(validClientPublic('abc123')).toBe(true);
  });
});
