/**
 * InitiateAuth and RespondToAuthChallenge: SRP sign-in (USER_SRP_AUTH, then its PASSWORD_VERIFIER challenge),
 * USER_PASSWORD_AUTH and refresh when the app client allows them, Cognito's lockout, and preventUserExistenceErrors
 * (an unknown user gets a stand-in's challenge, stand-ins.ts, refused as a wrong password is). A challenge's state
 * travels sealed in its SECRET_BLOCK (challenge-seal.ts) and is answered once (spent-challenges.ts).
 */
import { randomBytes } from 'node:crypto';
import { userPoolClientTokenValidity } from '../../api/user-pool-settings.ts';
import { CognitoApiError, tooManyRequests } from './errors.ts';
import type { Operation, OperationContext } from './operation-context.ts';
import { checkUsername, stringField, stringMap, type Json } from './request-fields.ts';
import type { PoolUser } from './users.ts';
import { makeVerifier, passwordClaimKey, passwordClaimSignature, serverEphemeral, signatureMatches, timestampPattern, validClientPublic } from './srp.ts';

/** A PASSWORD_VERIFIER challenge must be answered within the app client's auth session validity (api/user-pool-settings.ts). */
export const authSessionValidityMs = userPoolClientTokenValidity.authSessionMinutes * 60 * 1000;

const incorrect = () => new CognitoApiError('NotAuthorizedException', 'Incorrect username or password.');

export function authOperations(context: OperationContext) {
  const { users, now, poolName, flows, lockout, spent, checkClient, userNamed } = context;
  const { startSession, refresh } = context.sessions;
  const seal = (fields: Record<string, unknown>) => context.seal.seal(fields);
  const unseal = (block: string) => context.seal.unseal(block);
  const standIn = (name: string) => context.standIns.forName(name);
  const standInVerifier = (userId: string) => context.standIns.verifierOf(userId);
  /**
   * Throws Cognito's lockout refusal while the user (or stand-in) is locked out, and TooManyRequestsException
   * while its failure could not be counted (lockout.ts's bound, reached by live records, for every name alike).
   */
  const checkLockout = (userId: string) => {
    const state = lockout.check(userId);
    if (state === 'locked') throw new CognitoApiError('NotAuthorizedException', 'Password attempts exceeded');
    if (state === 'full') throw tooManyRequests();
  };
  const failedSignIn = (userId: string): CognitoApiError => {
    lockout.failed(userId);
    return incorrect();
  };
  /** The answer once `user`'s password is proven: its lockout count ends, and a confirmed user gets a session. */
  const signedIn = (user: PoolUser): Json => {
    lockout.forget(user.userId);
    if (user.status !== 'CONFIRMED') throw new CognitoApiError('UserNotConfirmedException', 'User is not confirmed.');
    return { ChallengeParameters: {}, AuthenticationResult: startSession(user) };
  };

  return {
    InitiateAuth(body) {
      checkClient(body);
      const flow = stringField(body, 'AuthFlow', 'authFlow', 64);
      const parameters = stringMap(body, 'AuthParameters', 'AuthParameters');
      // Cognito's AuthFlowType, in its order: the ADMIN_ flows belong to AdminInitiateAuth.
      const known = ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'CUSTOM_AUTH', 'ADMIN_NO_SRP_AUTH', 'USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'USER_AUTH'];
      if (flow === 'ADMIN_NO_SRP_AUTH' || flow === 'ADMIN_USER_PASSWORD_AUTH') throw new CognitoApiError('InvalidParameterException', 'Initiate Auth method not supported.');
      if (!known.includes(flow)) {
        throw new CognitoApiError('InvalidParameterException', `1 validation error detected: Value '${flow.slice(0, 64)}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [${known.join(', ')}]`);
      }
      // USER_AUTH (choice-based sign-in) is never among them: the local pool does not serve it.
      if (!flows.has(flow)) throw new CognitoApiError('InvalidParameterException', `${flow} flow not enabled for this client`);
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
        if (!parameters.REFRESH_TOKEN) throw new CognitoApiError('InvalidParameterException', 'Missing required parameter REFRESH_TOKEN');
        return refresh(parameters.REFRESH_TOKEN);
      }
      if (flow === 'CUSTOM_AUTH') throw new CognitoApiError('InvalidParameterException', 'Custom auth lambda trigger is not configured for the user pool.');
      const username = parameters.USERNAME;
      if (!username) throw new CognitoApiError('InvalidParameterException', 'Missing required parameter USERNAME');
      checkUsername(username);
      if (flow === 'USER_PASSWORD_AUTH') {
        const password = parameters.PASSWORD;
        if (!password) throw new CognitoApiError('InvalidParameterException', 'Missing required parameter PASSWORD');
        // An unknown user is checked against its stand-in, at the same cost, and locked out alike.
        const user = userNamed(username);
        const subject = user ?? standIn(username);
        checkLockout(subject.userId);
        const matches = makeVerifier(poolName, subject.userId, password, subject.saltHex).verifierHex === subject.verifierHex;
        if (!user || !matches) throw failedSignIn(subject.userId);
        return signedIn(user);
      }
      const aHex = parameters.SRP_A;
      if (!aHex) throw new CognitoApiError('InvalidParameterException', 'Missing required parameter SRP_A');
      if (!validClientPublic(aHex)) throw new CognitoApiError('InvalidParameterException', 'SRP_A must be a hexadecimal number that is not 0 mod N');
      const user = userNamed(username);
      const subject = user ?? standIn(username);
      const ephemeral = serverEphemeral(subject.verifierHex);
      // i: the challenge's id, so that it is answered once (SpentChallenges).
      const secretBlock = seal({ i: randomBytes(16).toString('base64url'), u: subject.userId, a: aHex, b: ephemeral.secretHex, B: ephemeral.publicHex, e: now() + authSessionValidityMs, ...(user ? {} : { d: true, n: username }) });
      return {
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeParameters: { SALT: subject.saltHex, SRP_B: ephemeral.publicHex, SECRET_BLOCK: secretBlock, USERNAME: subject.userId, USER_ID_FOR_SRP: subject.userId },
      };
    },

    RespondToAuthChallenge(body) {
      checkClient(body);
      const challenge = stringField(body, 'ChallengeName', 'challengeName', 64);
      if (challenge !== 'PASSWORD_VERIFIER') throw new CognitoApiError('InvalidParameterException', `The local user pool answers only PASSWORD_VERIFIER challenges, not ${challenge.slice(0, 64)}`);
      const responses = stringMap(body, 'ChallengeResponses', 'ChallengeResponses');
      for (const name of ['USERNAME', 'PASSWORD_CLAIM_SECRET_BLOCK', 'PASSWORD_CLAIM_SIGNATURE', 'TIMESTAMP']) {
        if (!responses[name]) throw new CognitoApiError('InvalidParameterException', `Missing required parameter ${name}`);
      }
      const block = responses.PASSWORD_CLAIM_SECRET_BLOCK as string;
      const state = unseal(block);
      if (!state) throw incorrect();
      if (typeof state.e !== 'number' || state.e <= now()) throw new CognitoApiError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      const spending = spent.spend(String(state.i), state.e);
      if (spending === 'reused') throw new CognitoApiError('NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      if (spending === 'full') throw tooManyRequests();
      const userId = state.u as string;
      const named = responses.USERNAME as string;
      // A stand-in's answer is refused only after the work a real user's takes, and counts toward its lockout.
      const standIn = state.d === true;
      const user = standIn ? undefined : users.byId(userId);
      const subject = user ?? (standIn ? standInVerifier(userId) : undefined);
      const aliases = user ? [userId, user.email] : [userId, state.n];
      if (!subject || !aliases.includes(named)) throw incorrect();
      checkLockout(userId);
      if (!timestampPattern.test(responses.TIMESTAMP as string)) throw incorrect();
      const key = passwordClaimKey({ aHex: state.a as string, bPublicHex: state.B as string, bSecretHex: state.b as string, verifierHex: subject.verifierHex });
      if (!key) throw incorrect();
      const expected = passwordClaimSignature(key, poolName, userId, Buffer.from(block, 'base64'), responses.TIMESTAMP as string);
      const matches = signatureMatches(expected, responses.PASSWORD_CLAIM_SIGNATURE as string);
      if (!user || !matches) throw failedSignIn(userId);
      return signedIn(user);
    },
  } satisfies Record<string, Operation>;
}
