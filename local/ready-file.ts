/**
 * The stack's ready file, `<state dir>/ready.json`: what `npm start` prints for
 * people, for programs (tests, benchmarks, scripts). Written once every service
 * serves, removed at a clean stop; a file whose `pid` is not a live process is
 * left over from a crash.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface StackReady {
  /** The process serving the stack. */
  readonly pid: number;
  readonly stateDir: string;
  readonly region: string;
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly galleryUrl: string;
  /** The local CA that signs every HTTPS endpoint: Node clients trust it with NODE_EXTRA_CA_CERTS. */
  readonly caPath: string;
  /** amplify_outputs.json as written this start (see local/amplify-outputs.ts). */
  readonly outputsPath: string;
  readonly bucketName: string;
  readonly tableName: string;
  readonly endpoints: {
    readonly s3: string;
    readonly dynamodb: string;
    readonly rekognition: string;
    /** The Lambda Invoke API. */
    readonly lambda: string;
  };
}

export const readyFilePath = (stateDir: string): string => path.join(stateDir, 'ready.json');

/** Writes the file whole (rename), so a reader never sees half of it. */
export function writeReadyFile(ready: StackReady): void {
  const file = readyFilePath(ready.stateDir);
  const partial = `${file}.${ready.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(ready, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

/** The ready file of `stateDir`, or undefined while there is none. */
export function readReadyFile(stateDir: string): StackReady | undefined {
  let text: string;
  try {
    text = readFileSync(readyFilePath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as StackReady;
}

export function removeReadyFile(stateDir: string): void {
  rmSync(readyFilePath(stateDir), { force: true });
}
