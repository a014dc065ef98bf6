/**
 * The local user pool's users, one JSON file each under `<stateDir>/cognito/users/`
 * (0600, written to a temporary file and renamed into place), so a restart keeps them
 * and a write costs one small file whatever the pool's size. A user keeps its email, status, SRP salt and
 * verifier (never the password), its pending confirmation code, and its sign-in sessions: the hash of each
 * refresh token and the `origin_jti` of the tokens issued from it, so revoking one ends them.
 * A damaged file stops the start (StateFileError), as every other state file does.
 */
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StateFileError, StateModes, jsonObject, readJsonStateFile, stateSubdir } from '../state-dir.ts';
import { srpN } from './srp.ts';

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED';

export interface ConfirmationCode {
  readonly value: string;
  /** Unix ms; Cognito's sign-up codes are valid 24 hours. */
  readonly expiresAt: number;
}

export interface UserSession {
  /** SHA-256 (hex) of the refresh token: the token itself is never stored. */
  readonly tokenHash: string;
  /** The `origin_jti` of every ID and access token issued from this refresh token. */
  readonly originJti: string;
  /** Unix seconds of the sign-in (`auth_time`). */
  readonly authTime: number;
  /** Unix ms past which the refresh token is refused. */
  readonly expiresAt: number;
  /** Ended by RevokeToken or GlobalSignOut: its refresh and access tokens are refused. */
  readonly revoked?: boolean;
}

export interface PoolUser {
  /** The username Cognito generates when email is the username attribute: a UUID, also the `sub`. */
  readonly userId: string;
  readonly email: string;
  readonly status: UserStatus;
  readonly saltHex: string;
  readonly verifierHex: string;
  /** Unix ms. */
  readonly createdAt: number;
  readonly code?: ConfirmationCode;
  readonly sessions: readonly UserSession[];
}

const remedy = 'fix it, or delete it to forget that user';
/** A generated username: a UUID in lower case, as randomUUID writes it. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/** What is wrong with a stored confirmation code, or undefined. */
function codeProblem(code: unknown): string | undefined {
  if (code === undefined) return undefined;
  if (!isObject(code) || typeof code.value !== 'string' || !/^\d{6}$/.test(code.value)) return 'has a code that is not 6 digits';
  if (!isTime(code.expiresAt)) return 'has a code without expiresAt';
  return undefined;
}

/** What is wrong with the stored session at `index`, or undefined. */
function sessionProblem(session: unknown, index: number): string | undefined {
  const problem = (what: string) => `has a session (${index + 1}) ${what}`;
  if (!isObject(session)) return problem('that is not an object');
  if (typeof session.tokenHash !== 'string' || !/^[0-9a-f]{64}$/.test(session.tokenHash)) return problem('whose tokenHash is not a SHA-256 in hex');
  if (typeof session.originJti !== 'string' || !uuidPattern.test(session.originJti)) return problem('whose originJti is not a UUID');
  if (!isTime(session.authTime) || !isTime(session.expiresAt)) return problem('without authTime or expiresAt');
  if (session.revoked !== undefined && typeof session.revoked !== 'boolean') return problem('whose revoked is not true or false');
  return undefined;
}

/**
 * A user file checked down to what sign-in computes with (hex salt and verifier, the code, every session), so a
 * damaged one stops the start naming its file rather than failing a sign-in later.
 */
function checkedUser(file: string, content: unknown): PoolUser {
  const fields = jsonObject(content);
  if (!fields) throw new StateFileError(file, 'does not hold a JSON object', remedy);
  for (const name of ['userId', 'email', 'saltHex', 'verifierHex'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '') throw new StateFileError(file, `lacks ${name}`, remedy);
  }
  const { userId, saltHex, verifierHex } = fields as Record<string, string>;
  if (!uuidPattern.test(userId)) throw new StateFileError(file, 'has a userId that is not a UUID', remedy);
  if (path.basename(file) !== `${userId}.json`) throw new StateFileError(file, `is not named for its userId (${userId}.json)`, remedy);
  if (!/^(?:[0-9a-f]{2})+$/.test(saltHex)) throw new StateFileError(file, 'has a saltHex that is not hex bytes', remedy);
  // A verifier is a number from 1 to N - 1 (g^x mod N).
  if (!/^[0-9a-f]+$/.test(verifierHex) || BigInt(`0x${verifierHex}`) === 0n || BigInt(`0x${verifierHex}`) >= srpN) {
    throw new StateFileError(file, 'has a verifierHex that is not a hex number below N', remedy);
  }
  if (fields.status !== 'UNCONFIRMED' && fields.status !== 'CONFIRMED') throw new StateFileError(file, 'has an unknown status', remedy);
  if (!isTime(fields.createdAt) || !Array.isArray(fields.sessions)) throw new StateFileError(file, 'lacks createdAt or sessions', remedy);
  const problem = codeProblem(fields.code) ?? fields.sessions.map(sessionProblem).find((found) => found !== undefined);
  if (problem) throw new StateFileError(file, problem, remedy);
  return fields as unknown as PoolUser;
}

/** The pool's users, in memory and on disk; every change is written before it returns. */
export class UserDirectory {
  readonly #dir: string;
  readonly #byId = new Map<string, PoolUser>();
  readonly #byEmail = new Map<string, string>();

  /** @throws StateFileError when a user's file is damaged */
  public constructor(stateDir: string) {
    this.#dir = stateSubdir(stateSubdir(stateDir, 'cognito'), 'users');
    for (const name of readdirSync(this.#dir)) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.#dir, name);
      const user = checkedUser(file, readJsonStateFile(file, remedy));
      const other = this.#byEmail.get(user.email);
      if (other !== undefined) throw new StateFileError(file, `has the email of ${other}.json`, remedy);
      this.#byId.set(user.userId, user);
      this.#byEmail.set(user.email, user.userId);
    }
  }

  public get size(): number {
    return this.#byId.size;
  }

  public byId(userId: string): PoolUser | undefined {
    return this.#byId.get(userId);
  }

  public byEmail(email: string): PoolUser | undefined {
    const id = this.#byEmail.get(email);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** A new user under `userId`, its generated UUID username (the caller's: its SRP verifier is bound to it). */
  public create(fields: Omit<PoolUser, 'userId' | 'sessions'>, userId: string): PoolUser {
    const user: PoolUser = { ...fields, userId, sessions: [] };
    this.save(user);
    return user;
  }

  /** The unconfirmed user who signed up first, if any. */
  public oldestUnconfirmed(): PoolUser | undefined {
    let oldest: PoolUser | undefined;
    for (const user of this.#byId.values()) if (user.status === 'UNCONFIRMED' && (!oldest || user.createdAt < oldest.createdAt)) oldest = user;
    return oldest;
  }

  /** Forgets `userId`: its file, then its entries. */
  public remove(userId: string): void {
    const user = this.#byId.get(userId);
    if (!user) return;
    rmSync(path.join(this.#dir, `${userId}.json`), { force: true });
    this.#byId.delete(userId);
    this.#byEmail.delete(user.email);
  }

  /** Writes `user` (replacing the one with its userId), temporary file then rename, so a crash leaves the old one whole. */
  public save(user: PoolUser): void {
    const file = path.join(this.#dir, `${user.userId}.json`);
    const temporary = `${file}.tmp-${process.pid}`;
    writeFileSync(temporary, JSON.stringify(user), { mode: StateModes.file });
    try {
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    const before = this.#byId.get(user.userId);
    if (before && before.email !== user.email) this.#byEmail.delete(before.email);
    this.#byId.set(user.userId, user);
    this.#byEmail.set(user.email, user.userId);
  }
}
