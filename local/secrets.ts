/**
 * The stack's API key and token secrets, made at first start and kept in
 * `<stateDir>/secrets.json` (0600). An existing file is never replaced: one
 * that is not JSON, or lacks the API key or the token secret, stops the start
 * with a StateFileError, since new ones would silently lock out every client
 * and receiver configured with the old ones.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StateFileError, StateModes, jsonObject, readJsonStateFile } from './state-dir.ts';

export interface StackSecrets {
  /** AppSync-style API key (`da2-` and 26 characters). */
  readonly apiKey: string;
  /** Protects pagination tokens against forgery. */
  readonly tokenSecret: string;
  /** HMAC key of completion callbacks (CALLBACK_SECRET of the functions). */
  readonly callbackSecret: string;
}

export const secretsFileName = 'secrets.json';

/** Secrets every secrets.json has held since the first version; missing, the file was damaged. */
const requiredSecrets = ['apiKey', 'tokenSecret'] as const satisfies readonly (keyof StackSecrets)[];

const remedy = 'fix it, or delete it to mint new secrets (a new API key and callback secret)';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

function appSyncApiKey(): string {
  const bytes = randomBytes(26);
  return `da2-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

const isSecret = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The secrets in an existing file; the ones it lacks that may be added, undefined. */
function storedSecrets(file: string, content: unknown): Partial<StackSecrets> {
  const fields = jsonObject(content);
  if (!fields) throw new StateFileError(file, 'does not hold a JSON object', remedy);
  for (const name of [...requiredSecrets, 'callbackSecret'] as const) {
    const value = fields[name];
    if (value !== undefined && !isSecret(value)) throw new StateFileError(file, `has a ${name} that is not a non-empty string`, remedy);
  }
  const missing = requiredSecrets.filter((name) => fields[name] === undefined);
  if (missing.length > 0) throw new StateFileError(file, `lacks ${missing.join(' and ')}`, remedy);
  return fields as Partial<StackSecrets>;
}

/**
 * Loads `<stateDir>/secrets.json`, or creates it. A file from before the
 * callback secret existed gets one added (said on stderr); the others stay.
 * @throws StateFileError when the file is unreadable, not JSON, or lacks the API key or token secret.
 */
export function loadOrCreateSecrets(stateDir: string): StackSecrets {
  const file = path.join(stateDir, secretsFileName);
  const content = readJsonStateFile(file, remedy);
  const stored = content === undefined ? {} : storedSecrets(file, content);
  const secrets: StackSecrets = {
    apiKey: stored.apiKey ?? appSyncApiKey(),
    tokenSecret: stored.tokenSecret ?? randomBytes(32).toString('hex'),
    callbackSecret: stored.callbackSecret ?? randomBytes(32).toString('hex'),
  };
  if (content === undefined || stored.callbackSecret === undefined) {
    if (content !== undefined) console.error(`${file} had no callbackSecret; added one (completion callbacks are signed with it)`);
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: StateModes.file });
    chmodSync(file, StateModes.file); // writeFileSync keeps an existing file's mode
  }
  return secrets;
}
