/**
 * A local stand-in for one Cognito user pool, for the AMAZON_COGNITO_USER_POOLS
 * mode offline: an RS256 signing key kept in the state dir, its JWKS, and
 * Cognito-shaped ID and access tokens. Apps sign in through the pool's
 * Cognito API (./identity-provider.ts), whose tokens this signs; tests and dev
 * tools may also mint tokens for a username (`mintTokens`, or the admin-signed dev
 * endpoint in ./routes.ts). Lifetimes are those Cognito allows an app client,
 * 5 minutes to 1 day. Local AppSync verifies tokens the way AppSync does:
 * signature by a key of the pool, issuer, token_use, client, expiry.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StateFileError, StateModes, jsonObject, readJsonStateFile, stateSubdir } from '../state-dir.ts';
import { MintTokensError } from './errors.ts';

/** What is kept under `<stateDir>/cognito/`, so tokens survive a restart of the same stack. */
export interface StoredPool {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly keyId: string;
  readonly privateKeyPem: string;
  /**
   * 32 random bytes, base64url: the key unknown users' stand-ins derive from (stand-ins.ts), kept so that an unknown
   * name's stand-in (its id, salt and verifier) is the same across restarts, as a real user's are.
   */
  readonly standInKey: string;
}

/** A pool read (or made) and checked, its private key imported once: what openLocalUserPool serves. */
export interface LoadedPool {
  readonly stored: StoredPool;
  readonly privateKey: KeyObject;
}

/** The claims the local pool puts in its tokens, as Cognito names them. */
export interface UserPoolClaims {
  readonly sub: string;
  readonly iss: string;
  readonly token_use: 'id' | 'access';
  readonly exp: number;
  readonly iat: number;
  readonly auth_time: number;
  readonly jti: string;
  readonly origin_jti: string;
  readonly event_id: string;
  readonly 'cognito:groups'?: readonly string[];
  readonly [claim: string]: unknown;
}

/**
 * ID and access token validity as Cognito bounds an app client's
 * (IdTokenValidity, AccessTokenValidity: "five minutes to one day"), in
 * seconds; its default is one hour.
 */
export const TokenValidity = { minSeconds: 5 * 60, maxSeconds: 24 * 60 * 60, defaultSeconds: 60 * 60 } as const;

export interface MintTokensArgs {
  readonly username: string;
  readonly email?: string;
  readonly groups?: readonly string[];
  /** Seconds from `issuedAt` until the tokens expire, TokenValidity.minSeconds to maxSeconds. @default 3600 */
  readonly expiresInSeconds?: number;
  /**
   * When the tokens were issued, unix seconds, not in the future: an earlier
   * time mints a token that expires sooner, or has expired, for tests.
   * @default now
   */
  readonly issuedAt?: number;
  /** The user's sub, for a user of the pool's sign-in (local/cognito/identity-provider.ts). @default derived from the pool and username */
  readonly sub?: string;
  /** `origin_jti`, shared by the tokens of one sign-in session (its refresh token). @default a fresh UUID */
  readonly originJti?: string;
  /** `auth_time`: when the user signed in, unix seconds. @default the issue time */
  readonly authTime?: number;
}

export interface MintedTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** The tokens' lifetime in seconds, from their issue time (`iat`). */
  readonly expiresIn: number;
  /** The user's sub: the same for the same username in the same pool. */
  readonly sub: string;
}

export type TokenVerification =
  | { readonly ok: true; readonly claims: UserPoolClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'invalid' | 'expired' };

export interface LocalUserPool {
  /** `<region>_<9 characters>`, as Cognito forms pool ids. */
  readonly userPoolId: string;
  /** The pool's one app client (public, no secret), as in infra/api-user-pool.ts. */
  readonly clientId: string;
  readonly region: string;
  /** `iss` of every token: `<origin>/cognito/<userPoolId>`; its JWKS is at `<issuer>/.well-known/jwks.json`. */
  readonly issuer: string;
  /** The key unknown users' stand-ins derive from (stand-ins.ts), kept in user-pool.json: stable across restarts. */
  readonly standInKey: Buffer;
  /** The public signing keys, in a JWKS document. */
  jwks(): { readonly keys: readonly JsonWebKey[] };
  mintTokens(args: MintTokensArgs): MintedTokens;
  verify(token: string, now?: Date): TokenVerification;
}

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const clientAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (length: number, alphabet: string) => [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');

const poolRemedy = 'fix it, or delete it to make a new pool (tokens minted before stop verifying)';

/** The pool in an existing user-pool.json, checked down to its key: a damaged file is a StateFileError, not a crash at the first token. */
function storedPool(file: string, content: unknown): LoadedPool {
  const fields = jsonObject(content);
  if (!fields) throw new StateFileError(file, 'does not hold a JSON object', poolRemedy);
  for (const name of ['userPoolId', 'clientId', 'keyId', 'privateKeyPem'] as const) {
    const value = fields[name];
    if (typeof value !== 'string' || value === '') throw new StateFileError(file, `lacks ${name}`, poolRemedy);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fields.privateKeyPem as string);
  } catch (error) {
    throw new StateFileError(file, 'has a privateKeyPem that is not a PEM private key', poolRemedy, { cause: error });
  }
  // Absent in a pool kept before stand-ins had a kept key: loadOrCreatePool adds one.
  if (fields.standInKey !== undefined && !(typeof fields.standInKey === 'string' && standInKeyPattern.test(fields.standInKey))) {
    throw new StateFileError(file, 'has a standInKey that is not 32 bytes in base64url', poolRemedy);
  }
  return { stored: fields as unknown as StoredPool, privateKey };
}

/** 32 bytes in base64url, unpadded: 43 characters, the last carrying 4 bits (so one of AEIMQUYcgkosw048). */
const standInKeyPattern = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const newStandInKey = () => randomBytes(32).toString('base64url');

/**
 * Reads the pool kept in `<stateDir>/cognito/user-pool.json`, checked down to its key, or makes and keeps a new one.
 * A start calls it before anything starts (local/state-files.ts), so a damaged file stops the start at once; the
 * stack hands what it read to the local AppSync (openLocalUserPool's `loaded`), which does not read the file again.
 * @throws StateFileError when the file is damaged
 */
export function loadOrCreatePool(stateDir: string, region: string): LoadedPool {
  const file = path.join(stateDir, 'cognito', 'user-pool.json');
  const content = readJsonStateFile(file, poolRemedy);
  if (content !== undefined) {
    const loaded = storedPool(file, content);
    if ((loaded.stored as Partial<StoredPool>).standInKey !== undefined) return loaded;
    const stored: StoredPool = { ...loaded.stored, standInKey: newStandInKey() };
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: StateModes.file });
    chmodSync(file, StateModes.file); // writeFileSync keeps an existing file's mode
    return { ...loaded, stored };
  }
  stateSubdir(stateDir, 'cognito');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pool: StoredPool = {
    userPoolId: `${region}_${randomText(9, alphanumeric)}`,
    clientId: randomText(26, clientAlphabet),
    keyId: randomBytes(16).toString('base64url'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    standInKey: newStandInKey(),
  };
  writeFileSync(file, JSON.stringify(pool, null, 2), { mode: StateModes.file });
  return { stored: pool, privateKey };
}

/** A version-4 UUID from 32 hex digits (of a hash): version 4 and the variant bits 10, as randomUUID's are. */
export function uuidFromHex(hex: string): string {
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A stable UUID-shaped sub per pool and username, so a user keeps its images across mints and restarts. */
function subFor(userPoolId: string, username: string): string {
  return uuidFromHex(createHash('sha256').update(`${userPoolId}\u0000${username}`).digest('hex'));
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function parseJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Issue time and lifetime of a mint, within Cognito's bounds. */
function tokenTimes(args: MintTokensArgs): { iat: number; expiresIn: number } {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = args.expiresInSeconds ?? TokenValidity.defaultSeconds;
  const { minSeconds, maxSeconds } = TokenValidity;
  if (!Number.isInteger(expiresIn) || expiresIn < minSeconds || expiresIn > maxSeconds) {
    throw new MintTokensError(`expiresInSeconds must be an integer from ${minSeconds} (5 minutes) to ${maxSeconds} (1 day), as Cognito allows`);
  }
  const iat = args.issuedAt ?? now;
  if (!Number.isInteger(iat) || iat < 0 || iat > now) throw new MintTokensError('issuedAt must be unix seconds, not in the future');
  return { iat, expiresIn };
}

export interface LocalUserPoolOptions {
  readonly stateDir: string;
  readonly region: string;
  /** Scheme, host and port of the server that serves the pool's JWKS (local AppSync). */
  readonly origin: string;
  /** The pool of `stateDir` as loadOrCreatePool read it before (state-files.ts), so it is not read again. @default read now */
  readonly loaded?: LoadedPool;
}

export function openLocalUserPool(options: LocalUserPoolOptions): LocalUserPool {
  const { stored, privateKey } = options.loaded ?? loadOrCreatePool(options.stateDir, options.region);
  const publicKey = createPublicKey(privateKey);
  const issuer = `${options.origin}/cognito/${stored.userPoolId}`;

  const sign = (claims: Record<string, unknown>): string => {
    const unsigned = `${base64url({ kid: stored.keyId, alg: 'RS256' })}.${base64url(claims)}`;
    const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
    return `${unsigned}.${signature}`;
  };

  return {
    userPoolId: stored.userPoolId,
    clientId: stored.clientId,
    region: options.region,
    issuer,
    standInKey: Buffer.from(stored.standInKey, 'base64url'),
    jwks: () => ({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: stored.keyId, alg: 'RS256', use: 'sig' }] }),

    mintTokens(args) {
      const username = args.username.trim();
      if (username === '') throw new MintTokensError('username must not be empty');
      const { iat, expiresIn } = tokenTimes(args);
      const sub = args.sub ?? subFor(stored.userPoolId, username);
      const eventId = randomUUID();
      const originJti = args.originJti ?? randomUUID();
      const groups = args.groups && args.groups.length > 0 ? { 'cognito:groups': [...args.groups] } : {};
      const authTime = args.authTime ?? iat;
      const common = { sub, ...groups, iss: issuer, origin_jti: originJti, event_id: eventId, auth_time: authTime, iat, exp: iat + expiresIn };
      const idToken = sign({
        ...common,
        aud: stored.clientId,
        token_use: 'id',
        'cognito:username': username,
        ...(args.email ? { email: args.email, email_verified: true } : {}),
        jti: randomUUID(),
      });
      const accessToken = sign({
        ...common,
        client_id: stored.clientId,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        username,
        jti: randomUUID(),
      });
      return { idToken, accessToken, expiresIn, sub };
    },

    verify(token, now = new Date()) {
      const parts = token.split('.');
      if (parts.length !== 3) return { ok: false, reason: 'malformed' };
      const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
      const header = parseJson(headerPart);
      const claims = parseJson(payloadPart);
      if (!header || !claims) return { ok: false, reason: 'malformed' };
      // Only this pool's key: an unsigned (alg none) or HMAC token never passes.
      if (header.alg !== 'RS256' || header.kid !== stored.keyId) return { ok: false, reason: 'invalid' };
      const signed = createVerify('RSA-SHA256').update(`${headerPart}.${payloadPart}`).verify(publicKey, Buffer.from(signaturePart, 'base64url'));
      if (!signed) return { ok: false, reason: 'invalid' };
      if (claims.iss !== issuer || typeof claims.sub !== 'string') return { ok: false, reason: 'invalid' };
      const client = claims.token_use === 'id' ? claims.aud : claims.token_use === 'access' ? claims.client_id : undefined;
      if (client !== stored.clientId) return { ok: false, reason: 'invalid' };
      if (typeof claims.exp !== 'number' || claims.exp <= Math.floor(now.getTime() / 1000)) return { ok: false, reason: 'expired' };
      return { ok: true, claims: claims as unknown as UserPoolClaims };
    },
  };
}
