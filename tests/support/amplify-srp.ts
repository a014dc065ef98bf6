/**
 * aws-amplify v6's own SRP client code (providers/cognito/utils/srp, which the package does not export: loaded by
 * its file), to compute exactly what Amplify's signIn sends a user pool: SRP_A, then the PASSWORD_VERIFIER
 * answer to the pool's challenge. The local pool's SRP is tested against it, not against a copy of it.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const srpDir = path.resolve(import.meta.dirname, '../../node_modules/@aws-amplify/auth/dist/esm/providers/cognito/utils/srp');

interface AmplifyBigInteger {
  toString(radix: number): string;
}
type BigIntegerClass = new (value: string, radix: number) => AmplifyBigInteger;
interface AuthenticationHelper {
  readonly A: AmplifyBigInteger;
  getPasswordAuthenticationKey(args: { username: string; password: string; serverBValue: AmplifyBigInteger; salt: AmplifyBigInteger }): Promise<Uint8Array>;
}
interface AmplifySrpModule {
  getAuthenticationHelper(userPoolName: string): Promise<AuthenticationHelper>;
  getNowString(): string;
  getSignatureString(args: { userPoolName: string; username: string; challengeParameters: Record<string, string>; dateNow: string; hkdf: Uint8Array }): string;
}

const load = async () => {
  const srp = (await import(pathToFileURL(path.join(srpDir, 'index.mjs')).href)) as AmplifySrpModule;
  const { default: BigInteger } = (await import(pathToFileURL(path.join(srpDir, 'BigInteger/BigInteger.mjs')).href)) as { default: BigIntegerClass };
  return { srp, BigInteger };
};

/** One Amplify sign-in's client side for a pool: its SRP_A, and its answer to a PASSWORD_VERIFIER challenge. */
export async function amplifySrpClient(userPoolId: string) {
  const { srp, BigInteger } = await load();
  const userPoolName = userPoolId.split('_')[1] ?? '';
  const helper = await srp.getAuthenticationHelper(userPoolName);
  return {
    srpA: helper.A.toString(16),
    /** The ChallengeResponses Amplify's handlePasswordVerifierChallenge sends. */
    async passwordVerifier(challenge: Record<string, string>, password: string, timestamp = srp.getNowString()): Promise<Record<string, string>> {
      const username = challenge.USER_ID_FOR_SRP ?? '';
      const hkdf = await helper.getPasswordAuthenticationKey({
        username,
        password,
        serverBValue: new BigInteger(challenge.SRP_B ?? '', 16),
        salt: new BigInteger(challenge.SALT ?? '', 16),
      });
      return {
        USERNAME: username,
        PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK ?? '',
        TIMESTAMP: timestamp,
        PASSWORD_CLAIM_SIGNATURE: srp.getSignatureString({ userPoolName, username, challengeParameters: challenge, dateNow: timestamp, hkdf }),
      };
    },
  };
}
