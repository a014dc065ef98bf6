/**
 * The state files a start reads before anything else: the admin key pair (credentials.json), the secrets, the
 * user pool and its users (cognito/users/), and the DynamoDB store, each made when missing. A damaged one is a StateFileError naming it and the
 * fix (state-dir.ts). main.ts reads them before it loads the rest of the stack, so a start on a damaged state dir
 * stops at once, having loaded little (no GraphQL, S3 or AWS SDK modules, no resolver bundles, no vision models).
 */
import { loadOrCreatePool, type LoadedPool } from './cognito/user-pool.ts';
import { UserDirectory } from './cognito/users.ts';
import type { LocalStackConfig } from './config.ts';
import { checkDynamoDbDataDir, type CheckedDataDir } from './dynamodb/data-dir.ts';
import { loadOrCreateCredentials, type LocalCredentials } from './iam/credentials.ts';
import { loadOrCreateSecrets, type StackSecrets } from './secrets.ts';
import { prepareStateDir, stateSubdir } from './state-dir.ts';

export interface StateFiles {
  readonly credentials: LocalCredentials;
  readonly secrets: StackSecrets;
  /** The user pool, checked and its key imported: the stack hands it to the local AppSync, which serves it. */
  readonly userPool: LoadedPool;
  /** The pool's users, each file checked: the local AppSync's sign-in serves them. */
  readonly userPoolUsers: UserDirectory;
  /** The DynamoDB store's directory, opened and found sound here: the local DynamoDB does not open it again before dynalite does. */
  readonly dynamoDbDataDir: CheckedDataDir;
}

/**
 * Makes the state dir private, then reads (or makes) every state file. What it read is handed on (StateFiles), so
 * the stack reads no file and opens no store twice.
 * @throws StateFileError for a damaged file
 */
export async function loadStateFiles(config: Pick<LocalStackConfig, 'stateDir' | 'region'>): Promise<StateFiles> {
  prepareStateDir(config.stateDir);
  const credentials = loadOrCreateCredentials(config.stateDir);
  const secrets = loadOrCreateSecrets(config.stateDir);
  const dynamoDbDataDir = await checkDynamoDbDataDir(stateSubdir(config.stateDir, 'dynamodb'));
  // Last: a new pool costs an RSA key (~0.3 s of CPU), not to be made for a start that then stops.
  const userPool = loadOrCreatePool(config.stateDir, config.region);
  const userPoolUsers = new UserDirectory(config.stateDir);
  return { credentials, secrets, userPool, userPoolUsers, dynamoDbDataDir };
}
