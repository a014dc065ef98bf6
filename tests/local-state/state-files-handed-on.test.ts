/**
 * What a start reads before the stack (local/state-files.ts) is handed on, not read again: the user pool the local
 * AppSync serves is the one loadStateFiles read (openLocalUserPool's `loaded`), and the local DynamoDB does not
 * open a store loadStateFiles has just opened (`dataDirChecked`). The opens are counted on data-dir.ts's probe,
 * which nothing a client sees tells apart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { checkDynamoDbDataDir } from '../../local/dynamodb/data-dir.ts';
import { startLocalDynamoDb } from '../../local/dynamodb/server.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { loadStateFiles } from '../../local/state-files.ts';
import { tempDirs } from '../support/temp-dirs.ts';

vi.mock('../../local/dynamodb/data-dir.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../local/dynamodb/data-dir.ts')>();
  return { ...original, checkDynamoDbDataDir: vi.fn(original.checkDynamoDbDataDir) };
});

const region = 'us-east-1';
const freshDir = tempDirs('labelcast-handed-on-');
afterEach(() => {
  vi.mocked(checkDynamoDbDataDir).mockClear();
});

describe('Function: loadStateFiles', () => {
  it('hands on the user pool it read: a pool opened with it serves that pool without reading a state dir', async () => {
    // Prepare
    const stateFiles = await loadStateFiles({ stateDir: freshDir(), region });
    const elsewhere = freshDir();

    // Act: opened on another (empty) state dir, which would otherwise get a new pool
    const pool = openLocalUserPool({ stateDir: elsewhere, region, origin: 'https://127.0.0.1:1', loaded: stateFiles.userPool });

    // Assess
    expect(pool.userPoolId).toBe(stateFiles.userPool.stored.userPoolId);
    expect(pool.clientId).toBe(stateFiles.userPool.stored.clientId);
    expect(pool.jwks().keys[0]?.kid).toBe(stateFiles.userPool.stored.keyId);
  });

  it('opens the DynamoDB store once for a start: the local DynamoDB does not open the store it handed on', async () => {
    // Prepare
    const stateFiles = await loadStateFiles({ stateDir: freshDir(), region });

    // Act
    const dynamodb = await startLocalDynamoDb({
      dataDir: stateFiles.dynamoDbDataDir,
      dataDirChecked: true,
      port: 0,
      region,
      credentials: credentialStore(stateFiles.credentials),
    });
    await dynamodb.close();

    // Assess
    expect(vi.mocked(checkDynamoDbDataDir).mock.calls).toEqual([[stateFiles.dynamoDbDataDir]]);
  });
});
