/** The stack's API key and token secret, made at first start and kept in the state dir. */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface StackSecrets {
  /** AppSync-style API key (`da2-` and 26 characters). */
  readonly apiKey: string;
  /** Protects pagination tokens against forgery. */
  readonly tokenSecret: string;
  /** HMAC key of completion callbacks (CALLBACK_SECRET of the functions). */
  readonly callbackSecret: string;
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

function appSyncApiKey(): string {
  const bytes = randomBytes(26);
  return `da2-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

export function loadOrCreateSecrets(stateDir: string): StackSecrets {
  const file = path.join(stateDir, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<StackSecrets>) : {};
  // A state dir from before a secret existed gets the missing one; the others stay.
  const secrets: StackSecrets = {
    apiKey: stored.apiKey ?? appSyncApiKey(),
    tokenSecret: stored.tokenSecret ?? randomBytes(32).toString('hex'),
    callbackSecret: stored.callbackSecret ?? randomBytes(32).toString('hex'),
  };
  if (Object.keys(stored).length !== Object.keys(secrets).length) writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
