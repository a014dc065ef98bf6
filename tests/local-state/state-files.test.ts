/**
 * The state dir's files (local/state-dir.ts and its loaders): private modes,
 * and a damaged file refused with one line naming it and the fix, never
 * replaced by fresh secrets.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { checkDynamoDbDataDir } from '../../local/dynamodb/data-dir.ts';
import { loadOrCreateCredentials } from '../../local/iam/credentials.ts';
import { loadOrCreateSecrets } from '../../local/secrets.ts';
import { StateFileError } from '../../local/state-dir.ts';
import { childModule } from '../support/child-module.ts';
import { tempDirs } from '../support/temp-dirs.ts';

const freshDir = tempDirs('labelcast-state-');
const modeOf = (file: string) => statSync(file).mode & 0o777;

/** The StateFileError `load` throws, or fails the test. */
function stateErrorOf(load: () => unknown): StateFileError {
  try {
    load();
  } catch (error) {
    if (error instanceof StateFileError) return error;
    throw error;
  }
  throw new Error('expected a StateFileError, got none');
}

describe('Function: prepareStateDir', () => {
  it('makes an existing state dir private: directories 0700, files 0600, and files created later too', async () => {
    // Prepare: a state dir as an older version left it, world-readable (in a child, so this process keeps its umask)
    const dir = freshDir();
    mkdirSync(path.join(dir, 's3', 'bucket'), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(dir, 's3', 'bucket', 'object'), 'bytes', { mode: 0o644 });
    writeFileSync(path.join(dir, 'secrets.json'), '{}', { mode: 0o644 });
    const stateDirModule = await childModule('local/state-dir.ts');
    const script = `
      import { mkdirSync, writeFileSync } from 'node:fs';
      const { prepareStateDir } = await import(process.argv[2]);
      prepareStateDir(process.argv[1]);
      mkdirSync(process.argv[1] + '/logs');
      writeFileSync(process.argv[1] + '/logs/labeler.log', 'line');`;

    // Act
    execFileSync(process.execPath, [...stateDirModule.execArgv, '--input-type=module', '-e', script, dir, stateDirModule.url], { cwd: path.resolve(import.meta.dirname, '../..') });

    // Assess
    expect([dir, path.join(dir, 's3'), path.join(dir, 's3', 'bucket'), path.join(dir, 'logs')].map(modeOf)).toEqual([0o700, 0o700, 0o700, 0o700]);
    expect([path.join(dir, 'secrets.json'), path.join(dir, 's3', 'bucket', 'object'), path.join(dir, 'logs', 'labeler.log')].map(modeOf)).toEqual([0o600, 0o600, 0o600]);
  });
});

describe('Function: loadOrCreateSecrets', () => {
  it('creates secrets.json 0600 and reads the same secrets back', () => {
    const dir = freshDir();
    const created = loadOrCreateSecrets(dir);
    expect(modeOf(path.join(dir, 'secrets.json'))).toBe(0o600);
    expect(loadOrCreateSecrets(dir)).toEqual(created);
  });

  it.each([
    ['{"apiKey": "da2-', /secrets\.json is not valid JSON \(error at position \d+\); fix it, or delete it to mint new secrets/],
    ['{}', /secrets\.json lacks apiKey and tokenSecret; fix it, or delete it to mint new secrets/],
    ['[]', /secrets\.json does not hold a JSON object/],
    ['{"apiKey": "da2-x", "tokenSecret": 7}', /secrets\.json has a tokenSecret that is not a non-empty string/],
  ])('refuses %s with one line naming the file, and leaves the file as it was', (content, message) => {
    // Prepare
    const dir = freshDir();
    const file = path.join(dir, 'secrets.json');
    writeFileSync(file, content);

    // Act
    const error = stateErrorOf(() => loadOrCreateSecrets(dir));

    // Assess
    expect(error.message).toMatch(message);
    expect(error.message).toContain(file);
    expect(error.message).not.toContain('\n');
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('never quotes the file in its message (it holds secrets)', () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'secrets.json'), '{"apiKey": "da2-supersecretvalue" "tokenSecret": "x"}');
    expect(stateErrorOf(() => loadOrCreateSecrets(dir)).message).not.toContain('supersecret');
  });

  it('adds a callbackSecret to a file from before it existed, and keeps the others', () => {
    const dir = freshDir();
    const file = path.join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ apiKey: 'da2-abcdefghijklmnopqrstuvwxyz', tokenSecret: 'feed' }));
    const secrets = loadOrCreateSecrets(dir);
    expect(secrets).toMatchObject({ apiKey: 'da2-abcdefghijklmnopqrstuvwxyz', tokenSecret: 'feed', callbackSecret: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(secrets);
  });
});

describe('Function: loadOrCreateCredentials', () => {
  it.each([
    ['not json', /credentials\.json is not valid JSON.*; fix it, or delete it to mint a new key pair/],
    ['{"accessKeyId": "LKIAX"}', /credentials\.json does not hold an accessKeyId and a secretAccessKey; fix it, or delete it/],
  ])('refuses %s with one line naming the file', (content, message) => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'credentials.json'), content);
    expect(stateErrorOf(() => loadOrCreateCredentials(dir)).message).toMatch(message);
  });
});

/** A whole user-pool.json (a real RSA key) whose standInKey is `key`. */
function withStandInKey(key: string): string {
  const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return JSON.stringify({ userPoolId: 'us-east-1_a', clientId: 'c', keyId: 'k', privateKeyPem: pem, standInKey: key });
}

describe('Function: openLocalUserPool (stored pool)', () => {
  const open = (stateDir: string) => openLocalUserPool({ stateDir, region: 'us-east-1', origin: 'https://127.0.0.1:1' });

  it('keeps the stand-in key, adding one (0600) to a pool kept before it had one', () => {
    const dir = freshDir();
    const first = open(dir).standInKey;
    expect(first).toHaveLength(32);
    expect(open(dir).standInKey).toEqual(first);
    const file = path.join(dir, 'cognito', 'user-pool.json');
    const { standInKey: _dropped, ...older } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify(older), { mode: 0o644 });
    const added = open(dir).standInKey;
    expect(added).not.toEqual(first);
    expect(open(dir).standInKey).toEqual(added);
    expect(modeOf(file)).toBe(0o600);
  });

  it('creates cognito/ 0700 and user-pool.json 0600', () => {
    const dir = freshDir();
    open(dir);
    expect(modeOf(path.join(dir, 'cognito'))).toBe(0o700);
    expect(modeOf(path.join(dir, 'cognito', 'user-pool.json'))).toBe(0o600);
  });

  it.each([
    ['{"userPoolId": ', /user-pool\.json is not valid JSON.*; fix it, or delete it to make a new pool/],
    ['{}', /user-pool\.json lacks userPoolId; fix it, or delete it/],
    ['{"userPoolId": "us-east-1_a", "clientId": "c", "keyId": "k", "privateKeyPem": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----"}', /user-pool\.json has a privateKeyPem that is not a PEM private key/],
    [withStandInKey('AAAA'), /user-pool\.json has a standInKey that is not 32 bytes in base64url/],
    [withStandInKey(Buffer.alloc(32).toString('base64')), /user-pool\.json has a standInKey that is not 32 bytes in base64url/],
  ])('refuses %s with one line naming the file', (content, message) => {
    const dir = freshDir();
    mkdirSync(path.join(dir, 'cognito'));
    writeFileSync(path.join(dir, 'cognito', 'user-pool.json'), content);
    expect(stateErrorOf(() => open(dir)).message).toMatch(message);
  });
});

describe('Function: checkDynamoDbDataDir', () => {
  it('opens a new store, then refuses it once its CURRENT file is damaged, naming that file', async () => {
    // Prepare
    const dir = freshDir();
    await checkDynamoDbDataDir(dir);
    writeFileSync(path.join(dir, 'CURRENT'), 'garbage');

    // Act
    const error = await checkDynamoDbDataDir(dir).then(() => undefined, (thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toBe(
      `${path.join(dir, 'CURRENT')} is damaged (Corruption: CURRENT file does not end with newline); restore the dynamodb directory from a backup, or delete it to start with empty tables`,
    );
  });
});
