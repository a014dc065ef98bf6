/**
 * The server side of Cognito's SRP-6a sign-in (USER_SRP_AUTH), as Cognito's
 * clients compute it (aws-amplify v6's `providers/cognito/utils/srp`,
 * amazon-cognito-identity-js): the 3072-bit group of RFC 3526 with g = 2,
 * SHA-256, numbers hashed as the hex of Java's BigInteger.toByteArray
 * (paddedHex), the password key x = H(salt | H(poolName | userId | ":" | password)),
 * and a 16-byte HKDF key (salt u, info "Caldera Derived Key") that signs
 * poolName | userId | secretBlock | timestamp with HMAC-SHA256.
 * The pool keeps only a user's salt and verifier v = g^x; never the password.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFC 3526's 3072-bit MODP prime, Cognito's N. */
export const srpN = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
export const srpG = 2n;

/**
 * A non-negative integer as the hex of its shortest two's-complement bytes (Java's BigInteger.toByteArray, which
 * Cognito's server hashes): even length, and a leading 00 when the top bit is set. Every value here is positive.
 */
export function paddedHex(value: bigint): string {
  if (value < 0n) throw new RangeError('SRP values are non-negative');
  let hex = value.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

/** SHA-256 as hex: SRP's H, and the hash a refresh token is kept as (sessions.ts). */
export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hashOfHex = (hex: string) => sha256Hex(Buffer.from(hex, 'hex'));
const bigFromHex = (hex: string) => BigInt(`0x${hex}`);

/** base^exponent mod modulus, square and multiply: the exponents here are 256 bits (x, u, b), ~3 ms each at 3072 bits. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  let rest = exponent;
  while (rest > 0n) {
    if (rest & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
    rest >>= 1n;
  }
  return result;
}

/** k = H(N | g), SRP-6a's multiplier, as the clients compute it. */
export const srpK = bigFromHex(hashOfHex(`${paddedHex(srpN)}${paddedHex(srpG)}`));

/** The pool name in the hashes: the part of the pool id after `<region>_`. */
export const poolNameOf = (userPoolId: string): string => userPoolId.split('_')[1] ?? '';

/** x = H(salt | H(poolName | userId | ":" | password)). */
function passwordKey(poolName: string, userId: string, password: string, saltHex: string): bigint {
  const inner = sha256Hex(`${poolName}${userId}:${password}`);
  return bigFromHex(hashOfHex(`${saltHex}${inner}`));
}

export interface PasswordVerifier {
  /** paddedHex of a random 128-bit salt. */
  readonly saltHex: string;
  /** v = g^x mod N, hex. */
  readonly verifierHex: string;
}

/** What the pool stores for a password: a fresh salt and the verifier of (poolName, userId, password) under it. */
export function makeVerifier(poolName: string, userId: string, password: string, saltHex = paddedHex(bigFromHex(randomBytes(16).toString('hex')))): PasswordVerifier {
  const x = passwordKey(poolName, userId, password, saltHex);
  return { saltHex, verifierHex: modPow(srpG, x, srpN).toString(16) };
}

export interface ServerEphemeral {
  /** The secret b, hex: kept (sealed in the SECRET_BLOCK) until the client answers. */
  readonly secretHex: string;
  /** B = (k·v + g^b) mod N, hex: SRP_B of the PASSWORD_VERIFIER challenge. */
  readonly publicHex: string;
}

/** A fresh b (256 bits) and its B for the verifier `verifierHex`. */
export function serverEphemeral(verifierHex: string, secret = bigFromHex(randomBytes(32).toString('hex'))): ServerEphemeral {
  const v = bigFromHex(verifierHex);
  const B = (srpK * v + modPow(srpG, secret, srpN)) % srpN;
  return { secretHex: secret.toString(16), publicHex: B.toString(16) };
}

/** Whether SRP_A is a hex number with A mod N ≠ 0, as SRP requires (else the client could force S = 0). */
export function validClientPublic(aHex: string): boolean {
  if (!/^[0-9a-fA-F]{1,1536}$/.test(aHex)) return false;
  return bigFromHex(aHex) % srpN !== 0n;
}

export interface PasswordClaimInput {
  readonly aHex: string;
  readonly bPublicHex: string;
  readonly bSecretHex: string;
  readonly verifierHex: string;
}

/**
 * The 16-byte key both sides derive: u = H(A | B), S = (A·v^u)^b mod N,
 * HKDF-SHA256(ikm S, salt u, info "Caldera Derived Key", 16 bytes). Undefined when u is 0 (refused).
 */
export function passwordClaimKey(input: PasswordClaimInput): Buffer | undefined {
  const A = bigFromHex(input.aHex);
  const B = bigFromHex(input.bPublicHex);
  const u = bigFromHex(hashOfHex(`${paddedHex(A)}${paddedHex(B)}`));
  if (u === 0n) return undefined;
  const v = bigFromHex(input.verifierHex);
  const S = modPow((A * modPow(v, u, srpN)) % srpN, bigFromHex(input.bSecretHex), srpN);
  const key = hkdfSync('sha256', Buffer.from(paddedHex(S), 'hex'), Buffer.from(paddedHex(u), 'hex'), Buffer.from('Caldera Derived Key', 'utf8'), 16);
  return Buffer.from(key);
}

/** PASSWORD_CLAIM_SIGNATURE: base64 HMAC-SHA256 under the claim key of poolName | userId | secretBlock bytes | timestamp. */
export function passwordClaimSignature(key: Buffer, poolName: string, userId: string, secretBlock: Buffer, timestamp: string): Buffer {
  return createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(userId, 'utf8'), secretBlock, Buffer.from(timestamp, 'utf8')]))
    .digest();
}

/** Whether `claimed` (base64, as the client sends it) is the expected signature, compared in constant time. */
export function signatureMatches(expected: Buffer, claimed: string): boolean {
  const given = Buffer.from(claimed, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * TIMESTAMP as the clients write it, `ddd MMM D HH:mm:ss UTC YYYY` (the day unpadded), e.g. `Tue Dec 1 08:09:59 UTC 2026`.
 * Cognito refuses other shapes; how far from its own clock it accepts is not documented, so no window is applied:
 * a captured answer is refused by its challenge being answered once (spent-challenges.ts), whatever its time.
 */
export const timestampPattern = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d UTC \d{4}$/;
