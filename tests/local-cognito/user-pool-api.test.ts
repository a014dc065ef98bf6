/**
 * The local user pool's API operations (local/cognito/user-pool-api.ts) called directly, for what the HTTP tests
 * (identity-provider.test.ts) do not show: that an unknown user's challenge cannot be told from a real one's
 * (preventUserExistenceErrors), that a challenge is answered once, and the bounds on what a caller can store.
 */
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initiateAuthFlows, userPoolClientAuthFlows, userPoolClientTokenValidity, type UserPoolClientAuthFlows } from '../../api/user-pool-settings.ts';
import { codeAttempts } from '../../local/cognito/code-attempts.ts';
import { SignInLockout, maxFailedSignInIds } from '../../local/cognito/lockout.ts';
import { RecentFailures } from '../../local/cognito/recent-failures.ts';
import { RequestQuota, quotaCategories } from '../../local/cognito/request-quota.ts';
import { defaultMaxResendEmails } from '../../local/cognito/resend-limit.ts';
import { SpentChallenges } from '../../local/cognito/spent-challenges.ts';
import { CognitoApiError, CognitoInvariantError } from '../../local/cognito/errors.ts';
import { userPoolApi, type OperationName, type UserPoolApi } from '../../local/cognito/user-pool-api.ts';
import { paddedHex } from '../../local/cognito/srp.ts';
import { openLocalUserPool, type LocalUserPool } from '../../local/cognito/user-pool.ts';
import { UserDirectory } from '../../local/cognito/users.ts';
import { StateFileError } from '../../local/state-dir.ts';
import { amplifySrpClient } from '../support/amplify-srp.ts';

const password = 'Sunny-orchard-42';
const workDir = mkdtempSync(path.join(tmpdir(), 'labelcast-user-pool-api-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Pool {
  readonly pool: LocalUserPool;
  readonly service: UserPoolApi;
  readonly users: UserDirectory;
  readonly stateDir: string;
  readonly clock: { ms: number };
  call(operation: OperationName, body: Record<string, unknown>): Record<string, unknown>;
}

function startService(options: { maxUsers?: number; stateDir?: string; authFlows?: UserPoolClientAuthFlows; maxFailureRecords?: number; log?: (line: string) => void } = {}): Pool {
  const stateDir = options.stateDir ?? mkdtempSync(path.join(workDir, 'pool-'));
  const pool = openLocalUserPool({ stateDir, region: 'us-east-1', origin: 'https://127.0.0.1:1' });
  const clock = { ms: Date.now() };
  const users = new UserDirectory(stateDir);
  const service = userPoolApi({ pool, users, log: options.log ?? (() => {}), now: () => clock.ms, maxUsers: options.maxUsers, authFlows: options.authFlows, maxFailureRecords: options.maxFailureRecords });
  return { pool, service, users, stateDir, clock, call: (operation, body) => service.call(operation, { ClientId: pool.clientId, ...body }) };
}

/** The error `run` throws, as Cognito would answer it. */
function refusal(run: () => unknown): { type: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof CognitoApiError) return { type: error.type, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

const confirmedUser = (at: Pool, email: string) => {
  at.call('SignUp', { Username: email, Password: password });
  at.call('ConfirmSignUp', { Username: email, ConfirmationCode: at.service.pendingCode(email)?.code });
};

/** Any valid SRP_A: these tests look at the challenge, not at its answer. */
const srpA = 'ab'.repeat(300);
const challengeFor = (at: Pool, username: string, a = srpA) =>
  (at.call('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: a } }) as { ChallengeParameters: Record<string, string> }).ChallengeParameters;

describe('preventUserExistenceErrors: an unknown user\'s challenge', () => {
  it('has a salt in the canonical form of a real one (paddedHex of 16 bytes)', () => {
    const at = startService();
    for (let index = 0; index < 40; index += 1) {
      const salt = challengeFor(at, `nobody-${index}@example.com`).SALT ?? '';
      expect(salt.length).toBeLessThanOrEqual(34);
      expect(salt).toBe(paddedHex(BigInt(`0x${salt}`)));
    }
  });

  it('has a USER_ID_FOR_SRP that is a version-4 UUID with every variant digit a random one has', () => {
    const at = startService();
    const ids = Array.from({ length: 40 }, (_, index) => challengeFor(at, `nobody-${index}@example.com`).USER_ID_FOR_SRP ?? '');
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids.map((id) => id[19])).size).toBeGreaterThan(1);
  });

  it('answers its USER_ID_FOR_SRP sent back as USERNAME with the same id and salt, as a real user\'s', () => {
    const at = startService();
    confirmedUser(at, 'real@example.com');
    for (const email of ['real@example.com', 'nobody@example.com']) {
      const first = challengeFor(at, email);
      const again = challengeFor(at, first.USER_ID_FOR_SRP ?? '');
      expect({ id: again.USER_ID_FOR_SRP, salt: again.SALT }).toEqual({ id: first.USER_ID_FOR_SRP, salt: first.SALT });
      expect(challengeFor(at, email).SALT).toBe(first.SALT);
    }
  });
});

describe("preventUserExistenceErrors: an unknown user's stand-in across a restart", () => {
  it("keeps its id and salt, as a real user's are kept", () => {
    const at = startService();
    confirmedUser(at, 'real@example.com');
    const before = ['real@example.com', 'nobody@example.com'].map((email) => challengeFor(at, email));
    const restarted = startService({ stateDir: at.stateDir });
    const after = ['real@example.com', 'nobody@example.com'].map((email) => challengeFor(restarted, email));
    expect(after.map(({ USER_ID_FOR_SRP, SALT }) => ({ USER_ID_FOR_SRP, SALT }))).toEqual(before.map(({ USER_ID_FOR_SRP, SALT }) => ({ USER_ID_FOR_SRP, SALT })));
  });
});

/** One sign-in with a wrong answer: a fresh challenge, answered with a signature no password gives. */
const wrongSignIn = (at: Pool, username: string) => {
  const challenge = challengeFor(at, username);
  return refusal(() =>
    at.call('RespondToAuthChallenge', {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: { USERNAME: username, PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE: Buffer.alloc(32).toString('base64'), TIMESTAMP: 'Tue Dec 1 08:09:59 UTC 2026' },
    }),
  );
};

describe('Lockout', () => {
  it('locks an unknown user out after 5 failed sign-ins, as a real one', () => {
    const at = startService();
    confirmedUser(at, 'real@example.com');
    for (const email of ['real@example.com', 'nobody@example.com']) {
      const answers = Array.from({ length: 6 }, () => wrongSignIn(at, email).message);
      expect(answers).toEqual([...Array<string>(5).fill('Incorrect username or password.'), 'Password attempts exceeded']);
    }
  });

  it('keeps a locked-out id past its bound, refusing a new id (every name alike) until a record expires', () => {
    const clock = { ms: 0 };
    const lockout = new SignInLockout(() => clock.ms, 3);
    for (let failure = 0; failure < 10; failure += 1) lockout.failed('target'); // locked 32 s
    clock.ms += 1000;
    lockout.failed('other-1');
    lockout.failed('other-2');
    expect(['target', 'other-1', 'other-3'].map((id) => lockout.check(id))).toEqual(['locked', 'open', 'full']);
    clock.ms += 15 * 60 * 1000 - 1000; // the target's last failure expires, the others' not yet
    expect(['target', 'other-3'].map((id) => lockout.check(id))).toEqual(['open', 'open']);
  });

  it('keeps every failure the quota lets land within 15 minutes, SRP challenges asked up to the auth session before', () => {
    const clock = { ms: 0 };
    const quota = new RequestQuota({}, () => clock.ms);
    const lockout = new SignInLockout(() => clock.ms, maxFailedSignInIds(initiateAuthFlows(userPoolClientAuthFlows)));
    const sessionMs = userPoolClientTokenValidity.authSessionMinutes * 60 * 1000;
    // A caller within the UserAuthentication quota, every name new: it asks for challenges over the first auth
    // session only, then answers the oldest live one (wrongly) whenever one is pending, else asks for another.
    const asked: number[] = [];
    let failures = 0;
    const refused: string[] = [];
    for (let step = 0; step * (1000 / 120) <= sessionMs + 15 * 60 * 1000; step += 1) {
      clock.ms = step * (1000 / 120);
      if (!quota.take('UserAuthentication')) continue;
      while (asked.length > 0 && (asked[0] ?? 0) + sessionMs <= clock.ms) asked.shift();
      if (clock.ms < sessionMs || asked.length === 0) {
        asked.push(clock.ms);
        continue;
      }
      asked.shift();
      const id = `name-${failures}`;
      const state = lockout.check(id);
      if (state === 'open') lockout.failed(id);
      else refused.push(state);
      failures += 1;
    }
    // More than 60 × 901, the bound that left the auth session out; none refused, none expired yet.
    expect(failures).toBeGreaterThan(60 * 901);
    expect(refused).toEqual([]);
  });

  it('answers TooManyRequestsException past the bound, for a real user and an unknown one alike', () => {
    const at = startService({ maxFailureRecords: 1 });
    confirmedUser(at, 'real@example.com');
    confirmedUser(at, 'other@example.com');
    expect(wrongSignIn(at, 'other@example.com').type).toBe('NotAuthorizedException');
    for (const email of ['real@example.com', 'nobody@example.com']) expect(wrongSignIn(at, email)).toEqual({ type: 'TooManyRequestsException', message: 'Too many requests' });
  });
});

describe('PASSWORD_VERIFIER answers', () => {
  const incorrect = { type: 'NotAuthorizedException', message: 'Incorrect username or password.' };

  /** Amplify's answer, for `typed`, to the challenge of `username`; `challenge` may change the challenge before it is answered. */
  async function answerFor(at: Pool, username: string, typed = password, challenge = (given: Record<string, string>) => given) {
    const client = await amplifySrpClient(at.pool.userPoolId);
    return client.passwordVerifier(challenge(challengeFor(at, username, client.srpA)), typed);
  }
  const respond = (at: Pool, responses: Record<string, string>) => () => at.call('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: responses });

  it('are taken once: the same answer replayed is refused, as Cognito refuses a session used twice', async () => {
    const at = startService();
    confirmedUser(at, 'real@example.com');
    const answer = await answerFor(at, 'real@example.com');
    expect(respond(at, answer)()).toHaveProperty('AuthenticationResult');
    expect(refusal(respond(at, answer))).toEqual({ type: 'NotAuthorizedException', message: 'Invalid session for the user, session can only be used once.' });
  });

  it('are refused for a SECRET_BLOCK changed by one byte, even when signed over the changed block with the right password', async () => {
    const at = startService();
    confirmedUser(at, 'real@example.com');
    const flipped = (challenge: Record<string, string>) => {
      const block = Buffer.from(challenge.SECRET_BLOCK ?? '', 'base64');
      block[20] = (block[20] ?? 0) ^ 1; // in the seal's authentication tag: the sealed fields themselves unchanged
      return { ...challenge, SECRET_BLOCK: block.toString('base64') };
    };
    expect(refusal(respond(at, await answerFor(at, 'real@example.com', password, flipped)))).toEqual(incorrect);
  });

  it("are refused for another user's USERNAME: a real user's challenge, or a stand-in's, answered as a real user", async () => {
    const at = startService();
    confirmedUser(at, 'alice@example.com');
    confirmedUser(at, 'bob@example.com');
    for (const challenged of ['alice@example.com', 'nobody@example.com']) {
      const answer = await answerFor(at, challenged);
      expect(refusal(respond(at, { ...answer, USERNAME: 'bob@example.com' }))).toEqual(incorrect);
    }
  });

  it('keep at most the bound of spent challenges, refusing past it until some expire rather than forgetting one', () => {
    const clock = { ms: 0 };
    const spent = new SpentChallenges(() => clock.ms, 2);
    expect([spent.spend('a', 100), spent.spend('b', 200), spent.spend('a', 100), spent.spend('c', 300)]).toEqual(['spent', 'spent', 'reused', 'full']);
    clock.ms = 100;
    expect([spent.spend('c', 300), spent.spend('b', 200)]).toEqual(['spent', 'reused']);
  });
});

describe('The cap on users', () => {
  it('makes room by removing the oldest unconfirmed user, on disk too, and refuses only when all are confirmed', () => {
    const at = startService({ maxUsers: 2 });
    const signUp = (email: string) => at.call('SignUp', { Username: email, Password: password });
    signUp('first@example.com');
    at.clock.ms += 1;
    signUp('second@example.com');
    at.clock.ms += 1;

    signUp('third@example.com');
    const restarted = startService({ stateDir: at.stateDir });
    expect(['first', 'second', 'third'].map((name) => restarted.users.byEmail(`${name}@example.com`) !== undefined)).toEqual([false, true, true]);

    for (const email of ['second@example.com', 'third@example.com']) at.call('ConfirmSignUp', { Username: email, ConfirmationCode: at.service.pendingCode(email)?.code });
    expect(refusal(() => signUp('fourth@example.com'))).toEqual({ type: 'LimitExceededException', message: 'The local user pool holds at most 2 users, all confirmed.' });
  });
});

describe('Usernames', () => {
  const patternError = {
    type: 'InvalidParameterException',
    message: "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
  };
  // An ANSI sequence that wipes the log line and forges one (the attacker's), and a look-alike of a real email.
  const forged = '\x1b[2K\x1b[G[cognito]\x1b[1Cconfirmation\x1b[1Ccode\x1b[1Cfor\x1b[1Calice@example.com:\x1b[1C000000@x.io';
  const lookAlike = 'alice\u200b@example.com';

  it("outside Cognito's pattern (control or format characters) are refused by every operation that takes one", () => {
    const lines: string[] = [];
    const at = startService({ authFlows: { userSrp: true, userPassword: true }, log: (line) => lines.push(line) });
    for (const name of [forged, lookAlike]) {
      expect(refusal(() => at.call('SignUp', { Username: name, Password: password }))).toEqual(patternError);
      expect(refusal(() => at.call('ConfirmSignUp', { Username: name, ConfirmationCode: '123456' }))).toEqual(patternError);
      expect(refusal(() => at.call('ResendConfirmationCode', { Username: name }))).toEqual(patternError);
      expect(refusal(() => challengeFor(at, name))).toEqual(patternError);
      expect(refusal(() => at.call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: password } }))).toEqual(patternError);
    }
    expect(at.users.size).toBe(0);
    expect(lines).toEqual([]);
    // Letters, marks and symbols of any script are taken.
    expect(at.call('SignUp', { Username: 'zoë+ñ@exämple.com', Password: password })).toHaveProperty('UserSub');
  });

  it('are written to the log with their control and format characters escaped (a user file from before the check)', () => {
    const lines: string[] = [];
    const at = startService({ maxUsers: 1, log: (line) => lines.push(line) });
    at.call('SignUp', { Username: 'old@example.com', Password: password });
    const old = at.users.byEmail('old@example.com');
    if (!old) throw new Error('no user');
    at.users.save({ ...old, email: forged });
    at.clock.ms += 1;
    at.call('SignUp', { Username: 'new@example.com', Password: password });
    const removed = lines.find((line) => line.includes('removed to make room')) ?? '';
    expect(removed).toContain('\\u{1b}[2K\\u{1b}[G[cognito]\\u{1b}[1Cconfirmation');
    for (const line of lines) expect(line).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });
});

describe('Damaged user files', () => {
  type Stored = Record<string, unknown> & { sessions: Record<string, unknown>[]; code?: Record<string, unknown> };

  /** A state dir with one signed-in user (a session) and one unconfirmed (a code); `damage` changes the first's file. */
  async function damagedStart(damage: (stored: Stored, file: string) => void): Promise<{ error: unknown; file: string }> {
    const at = startService();
    confirmedUser(at, 'signed-in@example.com');
    const client = await amplifySrpClient(at.pool.userPoolId);
    const challenge = challengeFor(at, 'signed-in@example.com', client.srpA);
    at.call('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: await client.passwordVerifier(challenge, password) });
    const userId = at.users.byEmail('signed-in@example.com')?.userId ?? '';
    at.call('SignUp', { Username: 'pending@example.com', Password: password });
    const file = path.join(at.stateDir, 'cognito', 'users', `${userId}.json`);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Stored;
    stored.code = { value: '123456', expiresAt: 1 };
    damage(stored, file);
    if (readdirSync(path.dirname(file)).includes(path.basename(file))) writeFileSync(file, JSON.stringify(stored));
    try {
      new UserDirectory(at.stateDir);
    } catch (error) {
      return { error, file };
    }
    return { error: undefined, file };
  }

  it('starts on undamaged files (the cases below each change one thing)', async () => {
    expect((await damagedStart(() => {})).error).toBeUndefined();
  });

  it.each<[string, (stored: Stored, file: string) => void, RegExp]>([
    ['a verifier that is not hex', (stored) => (stored.verifierHex = 'not-hex'), /has a verifierHex that is not a hex number below N/],
    ['a verifier of 0', (stored) => (stored.verifierHex = '0'), /has a verifierHex that is not a hex number below N/],
    ['a salt that is not hex', (stored) => (stored.saltHex = '12xy'), /has a saltHex that is not hex bytes/],
    ['a code that is a number', (stored) => (stored.code = 5 as unknown as Record<string, unknown>), /has a code that is not 6 digits/],
    ['a code without expiry', (stored) => delete stored.code?.expiresAt, /has a code without expiresAt/],
    ['a session that is not an object', (stored) => (stored.sessions = [null as unknown as Record<string, unknown>]), /has a session \(1\) that is not an object/],
    ['a session without its hash', (stored) => delete stored.sessions[0]?.tokenHash, /has a session \(1\) whose tokenHash is not a SHA-256 in hex/],
    ['a session whose origin_jti is no UUID', (stored) => stored.sessions[0] && (stored.sessions[0].originJti = 'x'), /has a session \(1\) whose originJti is not a UUID/],
    ['a session without expiry', (stored) => delete stored.sessions[0]?.expiresAt, /has a session \(1\) without authTime or expiresAt/],
    ['a session revoked as "yes"', (stored) => stored.sessions[0] && (stored.sessions[0].revoked = 'yes'), /has a session \(1\) whose revoked is not true or false/],
    ['a file named for another id', (_, file) => renameSync(file, path.join(path.dirname(file), '0b6f8a52-3c1d-4e2f-9a7b-5c4d3e2f1a0b.json')), /\/0b6f8a52-3c1d-4e2f-9a7b-5c4d3e2f1a0b\.json is not named for its userId/],
    ['the email of another user', (stored) => (stored.email = 'pending@example.com'), /\.json has the email of [0-9a-f-]{36}\.json/],
  ])('stops the start on %s, naming the file (StateFileError)', async (_, damage, problem) => {
    const { error } = await damagedStart(damage);
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toMatch(/\/cognito\/users\/[0-9a-f-]{36}\.json /);
  });
});

describe('RevokeToken', () => {
  it("rewrites the user's file only for a live session's token, never for a made-up one naming the user", () => {
    const at = startService({ authFlows: { userSrp: true, userPassword: true } });
    confirmedUser(at, 'real@example.com');
    const signedIn = at.call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'real@example.com', PASSWORD: password } });
    const token = (signedIn.AuthenticationResult as { RefreshToken: string }).RefreshToken;
    const userId = token.split('.')[0] ?? '';
    // Every save renames a new file into place: its inode tells a rewrite, even of the same bytes.
    const inode = () => statSync(path.join(at.stateDir, 'cognito', 'users', `${userId}.json`)).ino;
    const before = inode();
    expect(at.call('RevokeToken', { Token: `${userId}.junk` })).toEqual({});
    expect(inode()).toBe(before);
    at.call('RevokeToken', { Token: token });
    const revoked = inode();
    expect(revoked).not.toBe(before);
    at.call('RevokeToken', { Token: token });
    expect(inode()).toBe(revoked);
    expect(refusal(() => at.call('GetTokensFromRefreshToken', { RefreshToken: token }))).toEqual({ type: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });
  });
});

describe('Token lifetimes', () => {
  it("are the app client's, declared once in api/user-pool-settings.ts: ID and access tokens, and refresh tokens", async () => {
    const at = startService();
    confirmedUser(at, 'real@example.com');
    const client = await amplifySrpClient(at.pool.userPoolId);
    const challenge = challengeFor(at, 'real@example.com', client.srpA);
    const signedIn = at.call('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: await client.passwordVerifier(challenge, password) });
    const tokens = signedIn.AuthenticationResult as { ExpiresIn: number; RefreshToken: string };
    expect(tokens.ExpiresIn).toBe(userPoolClientTokenValidity.idTokenMinutes * 60);

    const refresh = () => at.call('GetTokensFromRefreshToken', { RefreshToken: tokens.RefreshToken });
    at.clock.ms += userPoolClientTokenValidity.refreshTokenDays * 24 * 60 * 60 * 1000 - 1000;
    expect(refresh()).toHaveProperty('AuthenticationResult');
    at.clock.ms += 1000;
    expect(refusal(refresh)).toEqual({ type: 'NotAuthorizedException', message: 'Refresh Token has expired' });
  });
});

describe('InitiateAuth flows', () => {
  it('names every AuthFlow value Cognito has when refusing one it does not know', () => {
    const at = startService();
    expect(refusal(() => at.call('InitiateAuth', { AuthFlow: 'PASSKEY', AuthParameters: {} })).message).toBe(
      "1 validation error detected: Value 'PASSKEY' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
    );
  });

  it('USER_PASSWORD_AUTH, when a client allows it, answers and locks out an unknown user as a real one', () => {
    const at = startService({ authFlows: { userSrp: true, userPassword: true } });
    confirmedUser(at, 'real@example.com');
    const signIn = (email: string, typed: string) => () => at.call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: typed } });
    expect(signIn('real@example.com', password)()).toHaveProperty('AuthenticationResult');
    for (const email of ['real@example.com', 'nobody@example.com']) {
      const answers = Array.from({ length: 6 }, () => refusal(signIn(email, 'Sunny-orchard-43')).message);
      expect(answers).toEqual([...Array<string>(5).fill('Incorrect username or password.'), 'Password attempts exceeded']);
    }
  });
});

describe('SignUp attributes', () => {
  it("name an unknown attribute in the error by its first 64 characters only, not a 60,000-character name", () => {
    const at = startService();
    const name = 'x'.repeat(60_000);
    expect(refusal(() => at.call('SignUp', { Username: 'a@example.com', Password: password, UserAttributes: [{ Name: name, Value: 'v' }] }))).toEqual({
      type: 'InvalidParameterException',
      message: `Attributes did not conform to the schema: ${'x'.repeat(64)}: the local user pool stores only email`,
    });
  });
});

describe('Request members of the wrong JSON type', () => {
  it('are SerializationException, as Cognito answers them, not a length constraint', () => {
    const at = startService();
    const answers = [12345, ['a@example.com'], true, { a: 1 }].map((value) => refusal(() => at.call('SignUp', { Username: value, Password: password })));
    expect(answers).toEqual([
      { type: 'SerializationException', message: 'A number found where a string was expected.' },
      { type: 'SerializationException', message: 'Start of list found where not expected.' },
      { type: 'SerializationException', message: 'A boolean found where a string was expected.' },
      { type: 'SerializationException', message: 'Start of structure or map found where not expected.' },
    ]);
    expect(refusal(() => at.service.call('GetUser', { AccessToken: 1 })).type).toBe('SerializationException');
  });
});

describe('SignUp passwords', () => {
  it("refuse ASCII whitespace only, as Java's [\\S]+ (Cognito's pattern) does: a no-break space is taken", () => {
    const at = startService();
    const signUp = (typed: string) => () => at.call('SignUp', { Username: `user-${typed.length}-${typed.codePointAt(5)}@example.com`, Password: typed });
    expect(signUp('Sunny\u00a0orchard-42')()).toMatchObject({ UserConfirmed: false });
    expect(signUp('Sunny\u3000orchard-42')()).toMatchObject({ UserConfirmed: false });
    for (const space of [' ', '\t', '\n', '\u000b', '\f', '\r']) {
      expect(refusal(signUp(`Sunny${space}orchard-42`)).message).toBe("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+");
    }
  });
});

describe('Confirmation codes', () => {
  it('take 5 wrong tries per user across resent codes, an unknown user alike, then none for 15 minutes', () => {
    const at = startService();
    at.call('SignUp', { Username: 'pending@example.com', Password: password });
    const confirm = (email: string, code: string) => () => at.call('ConfirmSignUp', { Username: email, ConfirmationCode: code });
    const wrongFor = (email: string) => (at.service.pendingCode(email)?.code === '000000' ? '000001' : '000000');
    for (const email of ['pending@example.com', 'nobody@example.com']) {
      for (let attempt = 1; attempt <= 3; attempt += 1) expect(refusal(confirm(email, wrongFor(email))).type).toBe('CodeMismatchException');
      at.call('ResendConfirmationCode', { Username: email });
      for (let attempt = 4; attempt <= 5; attempt += 1) expect(refusal(confirm(email, wrongFor(email))).type).toBe('CodeMismatchException');
      expect(refusal(confirm(email, at.service.pendingCode(email)?.code ?? '123456'))).toEqual({ type: 'LimitExceededException', message: 'Attempt limit exceeded, please try after some time.' });
    }
    at.clock.ms += 15 * 60 * 1000;
    expect(confirm('pending@example.com', at.service.pendingCode('pending@example.com')?.code ?? '')()).toEqual({});
    expect(refusal(confirm('nobody@example.com', '123456')).type).toBe('CodeMismatchException');
  });
});

describe('Confirmation codes by either name', () => {
  it("count a user's email and its USER_ID_FOR_SRP as one, an unknown user's alike", () => {
    const at = startService();
    at.call('SignUp', { Username: 'pending@example.com', Password: password });
    const wrongFor = (email: string) => (at.service.pendingCode(email)?.code === '000000' ? '000001' : '000000');
    for (const email of ['pending@example.com', 'nobody@example.com']) {
      const confirm = (name: string) => () => at.call('ConfirmSignUp', { Username: name, ConfirmationCode: wrongFor(email) });
      for (let attempt = 1; attempt <= 5; attempt += 1) expect(refusal(confirm(email)).type).toBe('CodeMismatchException');
      expect(refusal(confirm(challengeFor(at, email).USER_ID_FOR_SRP ?? '')).type).toBe('LimitExceededException');
    }
  });
});

describe('ResendConfirmationCode', () => {
  it("refuses a USER_ID_FOR_SRP alike for a real user and an unknown one, and answers by email as before", () => {
    const at = startService();
    at.call('SignUp', { Username: 'pending@example.com', Password: password });
    const resend = (name: string) => () => at.call('ResendConfirmationCode', { Username: name });
    const byId = ['pending@example.com', 'nobody@example.com'].map((email) => refusal(resend(challengeFor(at, email).USER_ID_FOR_SRP ?? '')));
    expect(byId[0]).toEqual({ type: 'InvalidParameterException', message: 'The local user pool resends a code by email only, not by the generated username.' });
    expect(byId[1]).toEqual(byId[0]);
    expect(resend('pending@example.com')()).toEqual({ CodeDeliveryDetails: { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'p***@e***' } });
  });
});

describe('Resent codes', () => {
  it('are limited to 5 per email in 15 minutes, an unknown email alike, so a resend loop cannot keep a code from living', () => {
    const at = startService();
    at.call('SignUp', { Username: 'victim@example.com', Password: password });
    const resend = (email: string) => () => at.call('ResendConfirmationCode', { Username: email });
    for (const email of ['victim@example.com', 'nobody@example.com']) {
      for (let count = 1; count <= 5; count += 1) expect(resend(email)()).toHaveProperty('CodeDeliveryDetails');
      expect(refusal(resend(email))).toEqual({ type: 'LimitExceededException', message: 'Attempt limit exceeded, please try after some time.' });
    }
    // The code the 5th resend sent stays the pending one, and confirms.
    const kept = at.service.pendingCode('victim@example.com')?.code;
    at.clock.ms += 15 * 60 * 1000 - 1;
    expect(refusal(resend('victim@example.com')).type).toBe('LimitExceededException');
    expect(at.service.pendingCode('victim@example.com')?.code).toBe(kept);
    at.clock.ms += 1;
    expect(resend('victim@example.com')()).toHaveProperty('CodeDeliveryDetails');
    expect(at.call('ConfirmSignUp', { Username: 'victim@example.com', ConfirmationCode: at.service.pendingCode('victim@example.com')?.code })).toEqual({});
  });

  it('are counted for at most the bound of emails, a new one refused past it for a real user and an unknown one alike', () => {
    const at = startService({ maxFailureRecords: 1 });
    at.call('SignUp', { Username: 'pending@example.com', Password: password });
    at.call('ResendConfirmationCode', { Username: 'other@example.com' });
    for (const email of ['pending@example.com', 'nobody@example.com']) {
      expect(refusal(() => at.call('ResendConfirmationCode', { Username: email }))).toEqual({ type: 'TooManyRequestsException', message: 'Too many requests' });
    }
    expect(defaultMaxResendEmails).toBe(quotaCategories.UserAccountRecovery * (15 * 60 + 1));
  });
});

describe('Confirmation code counts past their bound', () => {
  it('keep a limited id, refusing a new id (every name alike) until a record expires', () => {
    const clock = { ms: 0 };
    const attempts = codeAttempts(() => clock.ms, 3);
    for (let attempt = 0; attempt < 5; attempt += 1) attempts.count('target');
    clock.ms += 1000;
    attempts.count('other-1');
    attempts.count('other-2');
    expect(['target', 'other-1', 'other-3'].map((id) => attempts.check(id))).toEqual(['limited', 'open', 'full']);
    clock.ms += 15 * 60 * 1000 - 1000;
    expect(['target', 'other-3'].map((id) => attempts.check(id))).toEqual(['open', 'open']);
  });

  it('answer TooManyRequestsException before the code is compared, for a real user and an unknown one alike', () => {
    const at = startService({ maxFailureRecords: 1 });
    for (const email of ['pending@example.com', 'other@example.com']) at.call('SignUp', { Username: email, Password: password });
    const confirm = (email: string, code: string) => () => at.call('ConfirmSignUp', { Username: email, ConfirmationCode: code });
    expect(refusal(confirm('other@example.com', 'wrong')).type).toBe('CodeMismatchException');
    for (const email of ['pending@example.com', 'nobody@example.com']) {
      expect(refusal(confirm(email, at.service.pendingCode(email)?.code ?? '123456'))).toEqual({ type: 'TooManyRequestsException', message: 'Too many requests' });
    }
  });
});

describe('Failure records', () => {
  it('sweep the expired ones as new ones come, never a live one', () => {
    const clock = { ms: 0 };
    const records = new RecentFailures<{ at: number }>(() => clock.ms, 100);
    for (let index = 0; index < 50; index += 1) records.set(`old-${index}`, { at: clock.ms });
    clock.ms += 60 * 1000;
    records.set('newer', { at: clock.ms });
    clock.ms += 14 * 60 * 1000; // the old ones' 15 minutes are over, not the newer one's
    records.set('newest', { at: clock.ms });
    expect(records.size).toBe(2);
    expect(records.get('newer')).toEqual({ at: 60 * 1000 });
  });

  it('refuse a record past the bound as a bug of the pool, never dropping a live one', () => {
    const records = new RecentFailures<{ at: number }>(() => 0, 1);
    records.set('first', { at: 0 });

    expect(records.hasRoom('second')).toBe(false);
    expect(() => records.set('second', { at: 0 })).toThrow(CognitoInvariantError);
    expect(records.get('first')).toEqual({ at: 0 });
  });

  it("of a user removed to make room are forgotten with it: its id, named again, counts from zero", () => {
    const at = startService({ maxUsers: 1 });
    at.call('SignUp', { Username: 'first@example.com', Password: password });
    const removedId = at.users.byEmail('first@example.com')?.userId ?? '';
    const wrongFor = (email: string) => (at.service.pendingCode(email)?.code === '000000' ? '000001' : '000000');
    for (let attempt = 0; attempt < 5; attempt += 1) refusal(() => at.call('ConfirmSignUp', { Username: 'first@example.com', ConfirmationCode: wrongFor('first@example.com') }));
    for (let attempt = 0; attempt < 5; attempt += 1) wrongSignIn(at, 'first@example.com');
    at.clock.ms += 1;
    at.call('SignUp', { Username: 'second@example.com', Password: password });
    expect(at.users.byId(removedId)).toBeUndefined();
    expect(refusal(() => at.call('ConfirmSignUp', { Username: removedId, ConfirmationCode: '000000' })).type).toBe('CodeMismatchException');
    expect(wrongSignIn(at, removedId).message).toBe('Incorrect username or password.');
  });
});
