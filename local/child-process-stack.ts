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
import { stackProcessMallocEnvironment } from './stack-process-env.ts';

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
  /** Settings added to this process's environment for the stack (LABELCAST_*: local/config.ts). @default none */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A stack process that may still be starting: its state directory and pid are known at once, its endpoints
 * once `ready` resolves. For a caller that does other work meanwhile (the e2e setup starts its stacks and
 * lets the test files wait for them: tests/support/local-stack-setup.ts).
 */
export interface StartingStack {
  readonly stateDir: string;
  readonly process: ChildProcess;
  /** Everything the stack printed so far (for people; read fields from the ready file, not its lines). */
  readonly stdout: () => string;
  /** Resolves once the stack serves; rejects, with what it printed, if it exits before or is not ready in time. */
  readonly ready: Promise<RunningStack>;
  /** Stops it, ready or not (SIGINT by default, like Ctrl-C); resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the stack's process and returns at once; `ready` says when it serves. */
export function spawnStackProcess(args: StackProcessOptions = {}): StartingStack {
  const stateDir = args.stateDir ?? mkdtempSync(path.join(tmpdir(), 'labelcast-'));
  // A ready file left by a stack that was killed must not be taken for this one's.
  removeReadyFile(stateDir);
  // As `npm start` runs it: from the stack's cached bundle, or under tsx when there is none (local/start.js).
  const child = spawn(process.execPath, ['local/start.js'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      // As npm start's script sets them (stack-process-env.ts): glibc reads them only as the process starts.
      ...stackProcessMallocEnvironment,
      ...args.env,
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
  const stdout = () => output;
  const stop = (signal: NodeJS.Signals = 'SIGINT') =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });

  const ready = new Promise<StackReady>((resolve, reject) => {
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
  }).then(
    (file): RunningStack => ({
      ...file,
      rekognitionEndpoint: file.endpoints.rekognition,
      lambdaEndpoint: file.endpoints.lambda,
      s3Endpoint: file.endpoints.s3,
      dynamodbEndpoint: file.endpoints.dynamodb,
      stdout,
      process: child,
      stop,
    }),
  );

  return { stateDir, process: child, stdout, ready, stop };
}

/** Starts the stack's process and resolves once it serves; rejects, with what it printed, if it does not. */
export function startStackProcess(args: StackProcessOptions = {}): Promise<RunningStack> {
  return spawnStackProcess(args).ready;
}

/** The local account's credentials, for tests that call S3 or DynamoDB directly as an AWS SDK user would. */
export function stackCredentials(stateDir: string): { accessKeyId: string; secretAccessKey: string } {
  return JSON.parse(readFileSync(path.join(stateDir, 'credentials.json'), 'utf8'));
}
