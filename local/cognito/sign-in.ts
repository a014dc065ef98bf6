/**
 * The unauthenticated operations of Cognito's user pool API that aws-amplify v6's sign-up, sign-in and sign-out
 * call, served for the local pool with Cognito's rules for this pool (infra/api-user-pool.ts, its settings in
 * api/user-pool-settings.ts): email is the username attribute (the username is a generated UUID), the
 * password policy, SRP sign-in only (plus refresh), and preventUserExistenceErrors, so an unknown user is
 * answered as a wrong password or a wrong code is. Each operation takes the request's JSON and returns the
 * answer's, or throws a CognitoApiError, which the HTTP layer (./identity-provider.ts) writes as Cognito does.
 *
 * Local bounds that are not Cognito's, each with the same error Cognito uses for its own limits:
 * at most `maxUsers` users (the oldest unconfirmed user makes room; LimitExceededException when all are
 * confirmed), 5 wrong confirmation codes per user across resent codes, then 15 minutes' wait
 * (./code-attempts.ts, an unknown username alike), the newest 100 sign-in sessions a user keeps. Failed sign-ins lock a user out as Cognito does
 * ("Password attempts exceeded"), counted in memory only (./lockout.ts), an unknown user's stand-in alike.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  initiateAuthFlows,
  userPoolClientAuthFlows,
  userPoolClientPreventUserExistenceErrors,
  userPoolClientTokenValidity,
  userPoolPasswordPolicy,
  userPoolSignInAliases,
  userPoolSignInCaseSensitive,
  type UserPoolClientAuthFlows,
  type UserPoolPasswordPolicy,
} from '../../api/user-pool-settings.ts';
import { CodeAttempts } from './code-attempts.ts';
import { CognitoApiError } from './errors.ts';
import { SignInLockout } from './lockout.ts';
import { SpentChallenges } from './spent-challenges.ts';
import { passwordProblem } from './password-policy.ts';
import {
  makeVerifier,
  paddedHex,
  passwordClaimKey,
  passwordClaimSignature,
  poolNameOf,
  serverEphemeral,
  signatureMatches,
  srpN,
  timestampPattern,
  validClientPublic,
} from './srp.ts';
import { uuidFromHex, type LocalUserPool } from './user-pool.ts';
import { UserDirectory, uuidPattern, type PoolUser, type UserSession } from './users.ts';

export interface SignInServiceOptions {
  readonly pool: LocalUserPool;
  readonly stateDir: string;
  /** The users of `stateDir`, when read before (so a damaged file stops a start before it listens). @default read now */
  readonly users?: UserDirectory;
  /** Where "sent" confirmation codes are written (the stack's log). */
  readonly log: (line: string) => void;
  /** @default 1000 */
  readonly maxUsers?: number;
  /** @default api/user-pool-settings.ts's */
  readonly passwordPolicy?: UserPoolPasswordPolicy;
  /** @default api/user-pool-settings.ts's */
  readonly authFlows?: UserPoolClientAuthFlows;
  /** Unix ms. @default Date.now */
  readonly now?: () => number;
}

/** Cognito's sign-up codes are valid 24 hours. */
export const confirmationCodeValidityMs = 24 * 60 * 60 * 1000;
/** A PASSWORD_VERIFIER challenge must be answered within the app client's auth session validity (api/user-pool-settings.ts). */
export const authSessionValidityMs = userPoolClientTokenValidity.authSessionMinutes * 60 * 1000;
/** The app client's refresh token validity (api/user-pool-settings.ts). */
export const refreshTokenValidityMs = userPoolClientTokenValidity.refreshTokenDays * 24 * 60 * 60 * 1000;
/** The app client's ID and access token validity, one setting offline (mintTokens issues both with one lifetime). */
const tokenValiditySeconds = userPoolClientTokenValidity.idTokenMinutes * 60;
// The pool settings this module serves only one value of: changing the declaration fails the type check here,
// rather than leaving the local pool answering as the deployed one no longer does.
({ aliases: [Object.keys(userPoolSignInAliases)[0] as keyof typeof userPoolSignInAliases], email: userPoolSignInAliases.email, caseSensitive: userPoolSignInCaseSensitive, preventUserExistenceErrors: userPoolClientPreventUserExistenceErrors, sameLifetime: userPoolClientTokenValidity.accessTokenMinutes }) satisfies {
  aliases: ['email'];
  email: true;
  caseSensitive: true;
  preventUserExistenceErrors: true;
  sameLifetime: typeof userPoolClientTokenValidity.idTokenMinutes;
};
/** The local pool's cap on users (not Cognito's, which is in the millions): each is a file loaded at start. */
export const defaultMaxUsers = 1000;
const maxSessionsPerUser = 100;

const incorrect = () => new CognitoApiError('NotAuthorizedException', 'Incorrect username or password.');
const codeMismatch = () => new CognitoApiError('CodeMismatchException', 'Invalid verification code provided, please try again.');
const nullMember = (name: string) => new CognitoApiError('InvalidParameterException', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);

type Json = Record<string, unknown>;

function stringField(body: Json, name: string, wire: string, maxLength = 2048): string {
  const value = body[name];
  if (value === undefined || value === null) throw nullMember(wire);
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new CognitoApiError('InvalidParameterException', `1 validation error detected: Value at '${wire}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`);
  }
  return value;
}

function stringMap(body: Json, name: string, wire: string): Record<string, string> {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value as Json).every((entry) => typeof entry === 'string')) {
    throw new CognitoApiError('SerializationException', `${wire} must be a map of strings`);
  }
  return value as Record<string, string>;
}

/** An address Cognito takes as an email username: one @, no spaces, a dot in the domain. */
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `a***@e***`, as Cognito masks a code's destination. */
const maskedEmail = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface SignInService {
  readonly users: UserDirectory;
  /** The pending confirmation code of the user with `email`, for the admin test hook; undefined when none. */
  pendingCode(email: string): { readonly code: string; readonly expiresAt: number } | undefined;
  call(operation: string, body: Json): Json;
  /** Whether the service serves `operation`. */
  serves(operation: string): boolean;
}

export function signInService(options: SignInServiceOptions): SignInService {
  const { pool, log } = options;
  const now = options.now ?? Date.now;
  const policy = options.passwordPolicy ?? userPoolPasswordPolicy;
  const flows = initiateAuthFlows(options.authFlows ?? userPoolClientAuthFlows);
  const maxUsers = options.maxUsers ?? defaultMaxUsers;
  const users = options.users ?? new UserDirectory(options.stateDir);
  const poolName = poolNameOf(pool.userPoolId);
  // Seals SECRET_BLOCKs and derives unknown users' stand-ins; per start, so a challenge does not outlive the stack.
  const sealKey = randomBytes(32);
  const decoyKey = randomBytes(32);

  const lockout = new SignInLockout(now);
  const spent = new SpentChallenges(now);
  const codeAttempts = new CodeAttempts(now);
  /** Throws Cognito's lockout refusal while the user (or stand-in) is locked out. */
  const checkLockout = (userId: string, standIn = false) => {
    if (lockout.locked(userId, standIn)) throw new CognitoApiError('NotAuthorizedException', 'Password attempts exceeded');
  };
  const failedSignIn = (userId: string, standIn = false): CognitoApiError => {
    lockout.failed(userId, standIn);
    return incorrect();
  };

  const checkClient = (body: Json) => {
    const clientId = stringField(body, 'ClientId', 'clientId', 128);
    if (clientId !== pool.clientId) throw new CognitoApiError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  };

  /** A user by the name a client sends: the email (the username attribute) or the generated username. */
  const userNamed = (name: string): PoolUser | undefined => users.byEmail(name) ?? users.byId(name);

  const newCode = () => ({ value: String(randomInt(0, 1_000_000)).padStart(6, '0'), expiresAt: now() + confirmationCodeValidityMs });
  const sendCode = (user: PoolUser, code: { value: string }) => {
    log(`[cognito] confirmation code for ${user.email}: ${code.value} (valid 24 h; the email Cognito would send)`);
    return { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: maskedEmail(user.email) };
  };

  /**
   * At the cap on users, the unconfirmed user who signed up first makes room, so sign-ups junk addresses never
   * confirm (any web page may send them: Cognito's API answers CORS for any origin) cannot stop sign-ups for good.
   * The oldest unconfirmed rather than only one whose code expired: that would still stop sign-ups for a day at a
   * time. Only when every user is confirmed is a sign-up refused.
   */
  const makeRoom = () => {
    const oldest = users.oldestUnconfirmed();
    if (!oldest) throw new CognitoApiError('LimitExceededException', `The local user pool holds at most ${maxUsers} users, all confirmed.`);
    users.remove(oldest.userId);
    log(`[cognito] the local user pool holds at most ${maxUsers} users: unconfirmed ${oldest.email} removed to make room`);
  };

  const seal = (fields: Json): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  };
  const unseal = (block: string): Json | undefined => {
    const bytes = Buffer.from(block, 'base64');
    if (bytes.length < 29) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', sealKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as Json;
    } catch {
      return undefined;
    }
  };

  /**
   * What an unknown username is answered with: a stand-in user whose challenge no password can meet, shaped as a
   * real user's so that its challenge says nothing of whether the user exists (preventUserExistenceErrors):
   * its id is a version-4 UUID with the variant bits of randomUUID's, its salt paddedHex of 16 bytes as
   * makeVerifier's, and an unknown UUID-shaped name is its own id, as a real user's id is when sent back as
   * USERNAME. Salt and verifier derive from the id, so the same id always gets the same challenge.
   */
  const standIn = (name: string) => {
    const userId = uuidPattern.test(name) ? name : uuidFromHex(createHmac('sha256', decoyKey).update(`name\u0000${name}`).digest('hex'));
    return { userId, ...standInVerifier(userId) };
  };
  // The verifier is a number below N derived without a modular exponentiation, so a stand-in's challenge costs
  // what a real user's does (one, for B): 384 bytes of HKDF output, 128 bits more than N, reduced mod N.
  const standInVerifier = (userId: string) => {
    const saltHex = paddedHex(BigInt(`0x${createHmac('sha256', decoyKey).update(`salt\u0000${userId}`).digest('hex').slice(0, 32)}`));
    const wide = Buffer.from(hkdfSync('sha256', decoyKey, Buffer.alloc(0), `verifier\u0000${userId}`, 384));
    return { saltHex, verifierHex: (BigInt(`0x${wide.toString('hex')}`) % srpN).toString(16) };
  };

  const issueTokens = (user: PoolUser, session: Pick<UserSession, 'originJti' | 'authTime'>) => {
    const minted = pool.mintTokens({
      username: user.userId,
      email: user.email,
      sub: user.userId,
      originJti: session.originJti,
      authTime: session.authTime,
      expiresInSeconds: tokenValiditySeconds,
    });
    return { AccessToken: minted.accessToken, IdToken: minted.idToken, ExpiresIn: minted.expiresIn, TokenType: 'Bearer' };
  };

  /** A new sign-in session: a refresh token (`<userId>.<random>`, only its hash kept) and the tokens issued with it. */
  const startSession = (user: PoolUser) => {
    const refreshToken = `${user.userId}.${randomBytes(32).toString('base64url')}`;
    const session: UserSession = { tokenHash: sha256(refreshToken), originJti: randomUUID(), authTime: Math.floor(now() / 1000), expiresAt: now() + refreshTokenValidityMs };
    // Sessions that ended (revoked or expired) are kept for their message until newer ones push them out.
    const sessions = [...user.sessions, session].slice(-maxSessionsPerUser);
    users.save({ ...user, sessions });
    return { ...issueTokens(user, session), RefreshToken: refreshToken };
  };

  /** The live session of a refresh token, or Cognito's refusal. */
  const refreshSession = (token: string): { user: PoolUser; session: UserSession } => {
    const user = users.byId(token.split('.', 1)[0] ?? '');
    const session = user?.sessions.find((candidate) => candidate.tokenHash === sha256(token));
    if (!user || !session) throw new CognitoApiError('NotAuthorizedException', 'Invalid Refresh Token');
    if (session.revoked) throw new CognitoApiError('NotAuthorizedException', 'Refresh Token has been revoked');
    if (session.expiresAt <= now()) throw new CognitoApiError('NotAuthorizedException', 'Refresh Token has expired');
    return { user, session };
  };

  const refresh = (token: string) => {
    const { user, session } = refreshSession(token);
    return { ChallengeParameters: {}, AuthenticationResult: issueTokens(user, session) };
  };

  const revoke = (user: PoolUser, which: (session: UserSession) => boolean) => {
    users.save({ ...user, sessions: user.sessions.map((session) => (which(session) ? { ...session, revoked: true } : session)) });
  };

  /** The user of a live access token: Cognito refuses one whose session was revoked (GlobalSignOut, RevokeToken). */
  const accessTokenUser = (body: Json): PoolUser => {
    const token = stringField(body, 'AccessToken', 'accessToken', 8192);
    const verified = pool.verify(token, new Date(now()));
    if (!verified.ok) throw new CognitoApiError('NotAuthorizedException', verified.reason === 'expired' ? 'Access Token has expired' : 'Invalid Access Token');
    if (verified.claims.token_use !== 'access') throw new CognitoApiError('NotAuthorizedException', 'Invalid Access Token');
    const user = users.byId(verified.claims.sub);
    if (!user) throw new CognitoApiError('UserNotFoundException', 'User does not exist.');
    const session = user.sessions.find((candidate) => candidate.originJti === verified.claims.origin_jti);
    if (!session || session.revoked) throw new CognitoApiError('NotAuthorizedException', 'Access Token has been revoked');
    return user;
  };

  const operations: Record<string, (body: Json) => Json> = {
    SignUp(body) {
      checkClient(body);
      const username = stringField(body, 'Username', 'username', 128);
      const password = stringField(body, 'Password', 'password', 4096);
      const attributes = body.UserAttributes ?? [];
      if (!Array.isArray(attributes) || !attributes.every((entry) => typeof entry === 'object' && entry !== null && typeof (entry as Json).Name === 'string')) {
        throw new CognitoApiError('SerializationException', 'UserAttributes must be a list of { Name, Value }');
      }
      if (!emailPattern.test(username)) throw new CognitoApiError('InvalidParameterException', 'Username should be an email.');
      for (const attribute of attributes as { Name: string; Value?: unknown }[]) {
        if (attribute.Name !== 'email') {
          throw new CognitoApiError('InvalidParameterException', `Attributes did not conform to the schema: ${attribute.Name}: the local user pool stores only email`);
        }
        if (attribute.Value !== username) {
          throw new CognitoApiError('InvalidParameterException', 'User email should be empty or same as username, since username attribute is email.');
        }
      }
      const problem = passwordProblem(password, policy);
      if (problem) throw new CognitoApiError(problem.type, problem.message);
      if (users.byEmail(username)) throw new CognitoApiError('UsernameExistsException', 'An account with the given email already exists.');
      if (users.size >= maxUsers) makeRoom();
      const userId = randomUUID();
      const code = newCode();
      const verifier = makeVerifier(poolName, userId, password);
      const user = users.create({ email: username, status: 'UNCONFIRMED', ...verifier, createdAt: now(), code }, userId);
      return { UserConfirmed: false, UserSub: user.userId, CodeDeliveryDetails: sendCode(user, code) };
    },

    ConfirmSignUp(body) {
      checkClient(body);
      const username = stringField(body, 'Username', 'username', 128);
      const given = stringField(body, 'ConfirmationCode', 'confirmationCode', 2048);
      const user = userNamed(username);
      if (user?.status === 'CONFIRMED') throw new CognitoApiError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
      // preventUserExistenceErrors: an unknown user gets the wrong code's answer, and the limit after 5, as a real one.
      const key = user?.userId ?? username;
      if (codeAttempts.exhausted(key, !user)) throw new CognitoApiError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      if (!user) {
        codeAttempts.wrong(key, true);
        throw codeMismatch();
      }
      const code = user.code;
      if (!code) throw new CognitoApiError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      if (given !== code.value) {
        codeAttempts.wrong(key, false);
        throw codeMismatch();
      }
      if (code.expiresAt <= now()) throw new CognitoApiError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      const { code: _used, ...confirmed } = user;
      users.save({ ...confirmed, status: 'CONFIRMED' });
      codeAttempts.confirmed(user.userId);
      return {};
    },

    ResendConfirmationCode(body) {
      checkClient(body);
      const username = stringField(body, 'Username', 'username', 128);
      const user = userNamed(username);
      if (!user) return { CodeDeliveryDetails: { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: maskedEmail(username) } };
      if (user.status === 'CONFIRMED') throw new CognitoApiError('InvalidParameterException', 'User is already confirmed.');
      const code = newCode();
      users.save({ ...user, code });
      return { CodeDeliveryDetails: sendCode(user, code) };
    },

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
      if (flow === 'USER_PASSWORD_AUTH') {
        const password = parameters.PASSWORD;
        if (!password) throw new CognitoApiError('InvalidParameterException', 'Missing required parameter PASSWORD');
        // An unknown user is checked against its stand-in, at the same cost, and locked out alike.
        const user = userNamed(username);
        const subject = user ?? standIn(username);
        checkLockout(subject.userId, !user);
        const matches = makeVerifier(poolName, subject.userId, password, subject.saltHex).verifierHex === subject.verifierHex;
        if (!user || !matches) throw failedSignIn(subject.userId, !user);
        lockout.succeeded(user.userId);
        if (user.status !== 'CONFIRMED') throw new CognitoApiError('UserNotConfirmedException', 'User is not confirmed.');
        return { ChallengeParameters: {}, AuthenticationResult: startSession(user) };
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
      if (spending === 'full') throw new CognitoApiError('TooManyRequestsException', 'Too many requests');
      const userId = state.u as string;
      const named = responses.USERNAME as string;
      // A stand-in's answer is refused only after the work a real user's takes, and counts toward its lockout.
      const standIn = state.d === true;
      const user = standIn ? undefined : users.byId(userId);
      const subject = user ?? (standIn ? standInVerifier(userId) : undefined);
      const aliases = user ? [userId, user.email] : [userId, state.n];
      if (!subject || !aliases.includes(named)) throw incorrect();
      checkLockout(userId, standIn);
      if (!timestampPattern.test(responses.TIMESTAMP as string)) throw incorrect();
      const key = passwordClaimKey({ aHex: state.a as string, bPublicHex: state.B as string, bSecretHex: state.b as string, verifierHex: subject.verifierHex });
      if (!key) throw incorrect();
      const expected = passwordClaimSignature(key, poolName, userId, Buffer.from(block, 'base64'), responses.TIMESTAMP as string);
      const matches = signatureMatches(expected, responses.PASSWORD_CLAIM_SIGNATURE as string);
      if (!user || !matches) throw failedSignIn(userId, standIn);
      lockout.succeeded(userId);
      if (user.status !== 'CONFIRMED') throw new CognitoApiError('UserNotConfirmedException', 'User is not confirmed.');
      return { ChallengeParameters: {}, AuthenticationResult: startSession(user) };
    },

    GetTokensFromRefreshToken(body) {
      checkClient(body);
      const { AuthenticationResult } = refresh(stringField(body, 'RefreshToken', 'refreshToken', 8192));
      return { AuthenticationResult };
    },

    GetUser(body) {
      const user = accessTokenUser(body);
      return {
        Username: user.userId,
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'sub', Value: user.userId },
        ],
      };
    },

    GlobalSignOut(body) {
      const user = accessTokenUser(body);
      revoke(user, () => true);
      return {};
    },

    RevokeToken(body) {
      checkClient(body);
      const token = stringField(body, 'Token', 'token', 8192);
      const user = users.byId(token.split('.', 1)[0] ?? '');
      const hash = sha256(token);
      // RFC 7009, which Cognito's revocation follows: an unknown token is answered as revoked.
      if (user) revoke(user, (session) => session.tokenHash === hash);
      return {};
    },
  };

  return {
    users,
    pendingCode(email) {
      const code = users.byEmail(email)?.code;
      return code ? { code: code.value, expiresAt: code.expiresAt } : undefined;
    },
    serves: (operation) => Object.hasOwn(operations, operation),
    call(operation, body) {
      // Own keys only: `constructor` or `toString` is no operation.
      const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (!run) throw new CognitoApiError('UnknownOperationException', `The local user pool does not serve ${operation.slice(0, 64)}.`);
      return run(body);
    },
  };
}
