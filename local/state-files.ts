/**
 * The state files a start reads before anything else: the admin key pair (credentials.json), the secrets, the
 * user pool and the DynamoDB store, each made when missing. A damaged one is a StateFileError naming it and the
 * fix (state-dir.ts). main.ts reads them before it loads the rest of the stack, so a start on a damaged state dir
 * stops at once, having loaded little (no GraphQL, S3 or AWS SDK modules, no resolver bundles, no vision models).
 */
import { loadOrCreatePool } from './cognito/user-pool.ts';
import type { LocalStackConfig } from './config.ts';
import { checkDynamoDbDataDir } from './dynamodb/data-dir.ts';
import { loadOrCreateCredentials, type LocalCredentials } from './iam/credentials.ts';
import { loadOrCreateSecrets, type StackSecrets } from './secrets.ts';
import { prepareStateDir, stateSubdir } from './state-dir.ts';

export interface StateFiles {
  readonly credentials: LocalCredentials;
  readonly secrets: StackSecrets;
}

/**
 * Makes the state dir private, then reads (or makes) every state file. The user pool is opened again by AppSync
 * once it listens, and the store by the local DynamoDB: here only their damage is found.
 * @throws StateFileError for a damaged file
 */
export async function loadStateFiles(config: Pick<LocalStackConfig, 'stateDir' | 'region'>): Promise<StateFiles> {
  prepareStateDir(config.stateDir);
  const credentials = loadOrCreateCredentials(config.stateDir);
  const secrets = loadOrCreateSecrets(config.stateDir);
  await checkDynamoDbDataDir(stateSubdir(config.stateDir, 'dynamodb'));
  // Last: a new pool costs an RSA key (~0.3 s of CPU), not to be made for a start that then stops.
  loadOrCreatePool(config.stateDir, config.region);
  return { credentials, secrets };
}
