/**
 * The e2e stacks as the test files see them. tests/support/local-stack-setup.ts (vitest's globalSetup) starts
 * each e2e project's stack and returns at once, so that no file that needs no stack waits for one (a worker that
 * is free while the stacks start runs them); every e2e file waits for its own project's stack before it runs (tests/support/e2e-stack-ready.ts, a setupFiles
 * entry, calls untilE2eStackReady), and fails with the stack's own output when it did not start.
 *
 * The stacks listen on ports the setup chose before starting them (npm start's consecutive ports from
 * LABELCAST_PORT), so that their endpoints can be provided (inject) before they serve: the files read them
 * at collection, before any test runs. Once the stack serves, its ready file must name those endpoints.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { inject } from 'vitest';
import { configFromEnv } from '../../local/config.ts';
import { readReadyFile, type StackReady } from '../../local/ready-file.ts';
import { waitFor } from './wait-for.ts';

/** An e2e stack that did not start, or serves elsewhere than the setup provided. */
export class E2eStackError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'E2eStackError';
  }
}

/**
 * What an e2e stack's state dir starts with, made once by the setup: the CA the workers trust (they read
 * NODE_EXTRA_CA_CERTS once, at start) with its server certificate, and the local user pool with its RSA key.
 */
const seededParts = ['tls', 'cognito'] as const;

/**
 * Gives `stateDir` the seeded parts of `from` (default: this project's e2e stack's state dir), for a stack a
 * test starts of its own: the workers trust its CA, and its start makes no RSA key.
 */
export function seedStateDir(stateDir: string, from: string = inject('stateDir')): void {
  for (const part of seededParts) cpSync(path.join(from, part), path.join(stateDir, part), { recursive: true });
}

/** The stack's setting naming the run's shared vision engine host (local/config.ts). */
export const visionEngineSocketVariable = 'LABELCAST_VISION_ENGINE_SOCKET';

/**
 * The settings every e2e stack starts with, for a stack an e2e file starts of its own: the run's shared vision engine
 * (tests/support/local-stack-setup.ts says why), when there is one.
 */
export function e2eStackEnv(): Record<string, string> {
  const socket = inject('visionEngineSocket');
  return socket ? { [visionEngineSocketVariable]: socket } : {};
}

/** Written by the setup into the stack's state dir when it did not start: its error and everything it printed. */
export const startFailurePath = (stateDir: string): string => path.join(stateDir, 'e2e-start-failure.txt');

/** The endpoints a stack started on `basePort` serves, as its ready file names them (checked when it is ready). */
export interface PlannedEndpoints {
  readonly outputsPath: string;
  readonly galleryUrl: string;
  readonly rekognitionEndpoint: string;
  readonly lambdaEndpoint: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
}

export function plannedEndpoints(stateDir: string, basePort: number): PlannedEndpoints {
  // The port layout is npm start's own (local/config.ts); the schemes are what each service serves.
  const { host, ports } = configFromEnv({ LABELCAST_PORT: String(basePort) });
  return {
    outputsPath: path.join(stateDir, 'amplify_outputs.json'),
    galleryUrl: `https://${host}:${ports.gallery}/`,
    rekognitionEndpoint: `http://${host}:${ports.rekognition}`,
    lambdaEndpoint: `http://${host}:${ports.lambda}`,
    s3Endpoint: `https://${host}:${ports.s3}`,
    dynamodbEndpoint: `http://${host}:${ports.dynamodb}`,
  };
}

/** How many consecutive ports a stack takes (local/config.ts). */
const stackPorts = 6;
/** Where Linux keeps its ephemeral range (low and high end), from which port 0 binds and outgoing connections take theirs. */
const ephemeralRangeFile = '/proc/sys/net/ipv4/ip_local_port_range';
/** Linux's default low end, for a system whose range cannot be read. */
const defaultEphemeralLow = 32_768;
/** The lowest base drawn: above the well-known and most registered services' ports. */
const lowestBasePort = 10_000;

/** The low end of the kernel's ephemeral port range, read from `file`; Linux's default when it cannot be read. */
export function ephemeralLowPort(file: string = ephemeralRangeFile): number {
  try {
    const low = Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 0) return low;
  } catch {
    // Not Linux, or no /proc: its default.
  }
  return defaultEphemeralLow;
}

/** Where bases are drawn from: `from` up to, not including, `to`. */
export interface BasePortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * Base ports are drawn below the ephemeral range: the many stacks and servers the tests start on port 0, and
 * every outgoing connection, never take these, also while a stack a test restarts on the same ports is down.
 */
export function basePortRange(ephemeralLow: number = ephemeralLowPort()): BasePortRange {
  const range = { from: lowestBasePort, to: ephemeralLow - stackPorts };
  if (range.to <= range.from) throw new E2eStackError(`no ports below the ephemeral range (from ${ephemeralLow}, ${ephemeralRangeFile}) for an e2e stack`);
  return range;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Bases drawn before giving up: far more than a range with any room needs. */
const maxDraws = 1_000;

/**
 * A base port whose `stackPorts` consecutive ports are free now and overlap none of `taken`: the bases other
 * stacks use or will use (the setup's stacks may not listen yet; a test's own stack may be down for a restart).
 * The setup's stacks and the stacks e2e files start on fixed ports all draw here, each avoiding the others'.
 */
export async function freeBasePort(taken: readonly number[], range: BasePortRange = basePortRange()): Promise<number> {
  for (let draw = 0; draw < maxDraws; draw += 1) {
    const base = range.from + Math.floor(Math.random() * (range.to - range.from));
    if (taken.some((other) => Math.abs(other - base) < stackPorts)) continue;
    let free = true;
    for (let offset = 0; offset < stackPorts && free; offset += 1) free = await portFree(base + offset);
    if (free) return base;
  }
  throw new E2eStackError(`no ${stackPorts} free consecutive ports from ${range.from} to ${range.to} beside ${taken.join(', ') || 'no other stack'}`);
}

/**
 * The bases of this run's e2e stacks (the setup's, shared and serial), for a file that starts a stack of its own
 * on fixed ports: freeBasePort(plannedBasePorts()) keeps it off theirs.
 */
export const plannedBasePorts = (): number[] => inject('e2eBasePorts');

/** How often a test file looks for its stack's ready file while the stack starts. */
const pollMs = 100;
/** Beyond the setup's own bound on a start (it then writes the failure file): only so that nothing waits forever. */
const waitBoundMs = 240_000;

function checkedReady(ready: StackReady): StackReady {
  const planned: Record<string, string> = {
    outputsPath: inject('outputsPath'),
    galleryUrl: inject('galleryUrl'),
    rekognitionEndpoint: inject('rekognitionEndpoint'),
    lambdaEndpoint: inject('lambdaEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
  };
  const served: Record<string, string> = {
    outputsPath: ready.outputsPath,
    galleryUrl: ready.galleryUrl,
    rekognitionEndpoint: ready.endpoints.rekognition,
    lambdaEndpoint: ready.endpoints.lambda,
    s3Endpoint: ready.endpoints.s3,
    dynamodbEndpoint: ready.endpoints.dynamodb,
  };
  const differ = Object.keys(planned).filter((key) => planned[key] !== served[key]);
  if (differ.length > 0) {
    throw new E2eStackError(
      `the e2e stack serves elsewhere than tests/support/e2e-stack.ts planned: ${differ.map((key) => `${key} ${served[key]}, planned ${planned[key]}`).join('; ')}`,
    );
  }
  return ready;
}

async function waitForReady(stateDir: string, pid: number): Promise<StackReady> {
  const deadline = Date.now() + waitBoundMs;
  let ready: StackReady | undefined;
  await waitFor(() => {
    ready = readReadyFile(stateDir);
    if (ready?.pid === pid) return true;
    const failure = startFailurePath(stateDir);
    if (existsSync(failure)) throw new E2eStackError(`the e2e stack did not start: ${readFileSync(failure, 'utf8')}`);
    if (Date.now() > deadline) throw new E2eStackError(`the e2e stack in ${stateDir} (pid ${pid}) was not ready after ${waitBoundMs / 1000} s`);
    return false;
  }, pollMs);
  return checkedReady(ready!);
}

const waitsKey = Symbol.for('labelcast.tests.e2eStackWaits');
const registry = globalThis as typeof globalThis & { [waitsKey]?: Map<string, Promise<StackReady>> };

/**
 * Resolves once this project's e2e stack serves (at once after the first time in a worker); rejects with the
 * stack's error and output when it did not start.
 */
export function untilE2eStackReady(): Promise<StackReady> {
  const stateDir = inject('stateDir');
  const waits = (registry[waitsKey] ??= new Map());
  let wait = waits.get(stateDir);
  if (!wait) {
    wait = waitForReady(stateDir, inject('stackPid'));
    waits.set(stateDir, wait);
  }
  return wait;
}
