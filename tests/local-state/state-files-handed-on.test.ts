/**
 * What a start reads before the stack (local/state-files.ts) is handed on, not read again: the user pool the local
 * AppSync serves is the one loadStateFiles read (openLocalUserPool's `loaded`). That the local DynamoDB does not open
 * the store loadStateFiles has just opened is carried by the type, not counted here: loadStateFiles hands on a
 * CheckedDataDir, which only checkDynamoDbDataDir makes and startLocalDynamoDb does not probe again (data-dir.ts), so
 * a stack that dropped it would not compile. What stays observable is that a plain directory is still probed: a
 * damaged store is the StateFileError naming it, not dynalite's crash.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { startLocalDynamoDb } from '../../local/dynamodb/server.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { StateFileError } from '../../local/state-dir.ts';
import { loadStateFiles } from '../../local/state-files.ts';
import { tempDirs } from '../support/temp-dirs.ts';

const region = 'us-east-1';
const freshDir = tempDirs('labelcast-handed-on-');

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

  it('hands on the DynamoDB store it opened, which the local DynamoDB serves; a plain directory is still probed', async () => {
    // Prepare
    const stateFiles = await loadStateFiles({ stateDir: freshDir(), region });
    const credentials = credentialStore(stateFiles.credentials);
    const served = await startLocalDynamoDb({ dataDir: stateFiles.dynamoDbDataDir, port: 0, region, credentials });
    await served.close();
    // The same store, damaged since, named by its plain path
    const damaged = stateFiles.dynamoDbDataDir.path;
    writeFileSync(path.join(damaged, 'CURRENT'), 'garbage');

    // Act
    const error = await startLocalDynamoDb({ dataDir: damaged, port: 0, region, credentials }).then(
      async (started) => started.close(),
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toMatch(/CURRENT is damaged \(.*\); restore the dynamodb directory from a backup, or delete it to start with empty tables$/);
  });
});
