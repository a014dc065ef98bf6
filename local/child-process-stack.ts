/**
 * For tests and benchmarks: runs the offline stack the way `npm start` does, in a child process with its
 * own state directory and free ports, and stops it with SIGINT like Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';

export interface RunningStack {
  readonly stateDir: string;
  readonly outputsPath: string;
  readonly caPath: string;
  /** The web gallery's URL, as `npm start` prints it. */
  readonly galleryUrl: string;
  /** The local Rekognition's endpoint, as `npm start` prints it. */
  readonly rekognitionEndpoint: string;
  /** The local Lambda API's endpoint (Invoke), as `npm start` prints it. */
  readonly lambdaEndpoint: string;
  /** The local S3's endpoint, as `npm start` prints it. */
  readonly s3Endpoint: string;
  /** The local DynamoDB's endpoint, as `npm start` prints it. */
  readonly dynamodbEndpoint: string;
  readonly stdout: () => string;
  readonly process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startStackProcess(args: { stateDir?: string; readyTimeoutMs?: number } = {}): Promise<RunningStack> {
  const stateDir = args.stateDir ?? mkdtempSync(path.join(tmpdir(), 'labelcast-'));
  const outputsPath = path.join(stateDir, 'amplify_outputs.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, LABELCAST_STATE_DIR: stateDir, LABELCAST_PORT: '0', LABELCAST_OUTPUTS: outputsPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack not ready in time:\n${output}`)), args.readyTimeoutMs ?? 120_000);
    const check = () => {
      if (output.includes('labelcast ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stack exited with ${code} before ready:\n${output}`));
    });
  });

  const caLine = /CA cert:\s+(\S+)/.exec(output);
  if (!caLine) throw new Error(`stack did not print its CA path:\n${output}`);
  const galleryLine = /Gallery:\s+(\S+)/.exec(output);
  if (!galleryLine) throw new Error(`stack did not print its gallery URL:\n${output}`);
  const rekognitionLine = /Rekognition:\s+(\S+)/.exec(output);
  if (!rekognitionLine) throw new Error(`stack did not print its Rekognition endpoint:\n${output}`);
  const lambdaLine = /Lambda:\s+(\S+)/.exec(output);
  if (!lambdaLine) throw new Error(`stack did not print its Lambda endpoint:\n${output}`);
  const s3Line = /^S3:\s+(\S+)/m.exec(output);
  if (!s3Line) throw new Error(`stack did not print its S3 endpoint:\n${output}`);
  const dynamodbLine = /^DynamoDB:\s+(\S+)/m.exec(output);
  if (!dynamodbLine) throw new Error(`stack did not print its DynamoDB endpoint:\n${output}`);
  return {
    stateDir,
    outputsPath,
    caPath: caLine[1],
    galleryUrl: galleryLine[1],
    rekognitionEndpoint: rekognitionLine[1],
    lambdaEndpoint: lambdaLine[1],
    s3Endpoint: s3Line[1],
    dynamodbEndpoint: dynamodbLine[1],
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
