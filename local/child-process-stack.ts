/**
 * For tests and benchmarks: runs the offline stack the way `npm start` does, in a child process with its
 * own state directory and free ports, and stops it with SIGINT like Ctrl-C. It learns the endpoints
 * from the stack's ready file (local/ready-file.ts). The stack also stops when the process that started it
 * ends without stopping it (a killed test run): it watches the IPC channel between them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';
import { readReadyFile, removeReadyFile, type StackReady } from './ready-file.ts';

export interface RunningStack extends StackReady {
  /** Same as `endpoints.rekognition`. */
  readonly rekognitionEndpoint: string;
  /** Same as `endpoints.lambda` (Invoke). */
  readonly lambdaEndpoint: string;
  /** Same as `endpoints.s3`. */
  readonly s3Endpoint: string;
  /** Same as `endpoints.dynamodb`. */
  readonly dynamodbEndpoint: string;
  /** Everything the stack printed (for people; read fields here, not its lines). */
  readonly stdout: () => string;
  readonly process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How often to look for the ready file while the stack starts. */
const readyPollMs = 100;

export interface StackProcessOptions {
  /** Reuse a state directory (a restart); default a new temporary one. */
  readonly stateDir?: string;
  readonly readyTimeoutMs?: number;
  /**
   * LABELCAST_PORT: the first of the stack's consecutive ports, so a restart keeps its URLs (a browser
   * page reconnects to the same ones).
   * @default 0 (free ports, new ones at each start)
   */
  readonly basePort?: number;
}

export async function startStackProcess(args: StackProcessOptions = {}): Promise<RunningStack> {
  const stateDir = args.stateDir ?? mkdtempSync(path.join(tmpdir(), 'labelcast-'));
  // A ready file left by a stack that was killed must not be taken for this one's.
  removeReadyFile(stateDir);
  // As `npm start` runs it: from the stack's cached bundle, or under tsx when there is none (local/start.js).
  const child = spawn(process.execPath, ['local/start.js'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LABELCAST_STATE_DIR: stateDir,
      LABELCAST_PORT: String(args.basePort ?? 0),
      LABELCAST_OUTPUTS: path.join(stateDir, 'amplify_outputs.json'),
    },
    // The IPC channel is how the stack learns this process is gone, even killed: it then stops (local/main.ts).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // The channel alone must not keep this process running.
  child.channel?.unref();
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const ready = await new Promise<StackReady>((resolve, reject) => {
    const done = (settle: () => void) => {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
      settle();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`stack not ready in time:\n${output}`))), args.readyTimeoutMs ?? 120_000);
    const poll = setInterval(() => {
      const file = readReadyFile(stateDir);
      if (file !== undefined && file.pid === child.pid) done(() => resolve(file));
    }, readyPollMs);
    const onExit = (code: number | null) => done(() => reject(new Error(`stack exited with ${code} before ready:\n${output}`)));
    child.once('exit', onExit);
  });

  return {
    ...ready,
    rekognitionEndpoint: ready.endpoints.rekognition,
    lambdaEndpoint: ready.endpoints.lambda,
    s3Endpoint: ready.endpoints.s3,
    dynamodbEndpoint: ready.endpoints.dynamodb,
    stdout: () => output,
    process: child,
    stop: (signal = 'SIGINT') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** The local account's credentials, for tests that call S3 or DynamoDB directly as an AWS SDK user would. */
export function stackCredentials(stateDir: string): { accessKeyId: string; secretAccessKey: string } {
  return JSON.parse(readFileSync(path.join(stateDir, 'credentials.json'), 'utf8'));
}
