/**
 * The local account's access key pair: the stack's admin identity. It lives
 * in `<stateDir>/credentials.json` (mode 0600) so that clients configured once
 * keep working across restarts. Besides the AWS APIs, it alone admits the
 * stack's own endpoints that are not AWS APIs (minting user-pool tokens,
 * Rekognition's fault and stats hooks; see ./admin-request.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StateFileError, readJsonStateFile } from '../state-dir.ts';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Session credentials only (a role's, as Lambda hands its functions): every request must carry it (X-Amz-Security-Token). */
  readonly sessionToken?: string;
}

export interface CredentialStore {
  lookup(accessKeyId: string): LocalCredentials | undefined;
}

export const credentialsFileName = 'credentials.json';
const remedy = 'fix it, or delete it to mint a new key pair (clients configured with the old one stop working)';
/** Like AWS keys (AKIA…, and ASIA… for session keys), but marked local. */
const accessKeyPrefix = 'LKIA';
const sessionAccessKeyPrefix = 'LSIA';
const accessKeyAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomAccessKeyId(prefix = accessKeyPrefix): string {
  const bytes = randomBytes(16);
  let id = prefix;
  for (const byte of bytes) id += accessKeyAlphabet[byte % accessKeyAlphabet.length];
  return id;
}

function randomSecretAccessKey(): string {
  // 40 characters, as AWS secret keys are.
  return randomBytes(30).toString('base64');
}

function isLocalCredentials(value: unknown): value is LocalCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const { accessKeyId, secretAccessKey } = value as Record<string, unknown>;
  return typeof accessKeyId === 'string' && accessKeyId.length > 0 && typeof secretAccessKey === 'string' && secretAccessKey.length > 0;
}

/**
 * Loads `<stateDir>/credentials.json` or creates it with one random key pair for the local account (accessKeyId starting 'LKIA'), mode 0600.
 * @throws StateFileError when the file is unreadable, not JSON, or lacks either key.
 */
export function loadOrCreateCredentials(stateDir: string): LocalCredentials {
  const file = path.join(stateDir, credentialsFileName);
  const stored = readJsonStateFile(file, remedy);
  if (stored !== undefined) {
    if (!isLocalCredentials(stored)) throw new StateFileError(file, 'does not hold an accessKeyId and a secretAccessKey', remedy);
    return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey };
  }
  const created = mintCredentials();
  // 'wx' so two processes starting at once cannot overwrite each other's key.
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return created;
}

/** A fresh random key pair, held in memory only (an AppSync data source's role keys). */
export function mintCredentials(): LocalCredentials {
  return { accessKeyId: randomAccessKeyId(), secretAccessKey: randomSecretAccessKey() };
}

/**
 * Fresh session credentials, held in memory only (a local function's role session): a key pair and a token,
 * as the role credentials Lambda hands a function have; the services refuse the keys without that token.
 */
export function mintSessionCredentials(): LocalCredentials {
  return { accessKeyId: randomAccessKeyId(sessionAccessKeyPrefix), secretAccessKey: randomSecretAccessKey(), sessionToken: randomBytes(96).toString('base64') };
}

export function credentialStore(...credentials: LocalCredentials[]): CredentialStore {
  const byAccessKeyId = new Map(credentials.map((entry) => [entry.accessKeyId, entry] as const));
  return { lookup: (accessKeyId) => byAccessKeyId.get(accessKeyId) };
}
