/**
 * vitest globalSetup for the e2e projects: an offline stack per project.
 * `e2e`, whose files run in parallel, gets the shared stack; `e2e-serial`
 * (tests/e2e/serial.test.ts, whose parts flip stack-wide state one at a time;
 * see vitest.config.ts) gets one of its own, so that it can run beside them.
 * Both are started at once, with one self-signed CA made before either:
 * test workers are forked after this runs and inherit NODE_EXTRA_CA_CERTS,
 * which Node reads once, so they trust both stacks, as a user's Node client
 * would trust its one. The local user pool (its RSA key: about 0.25 CPU-s a
 * key, up to 0.75) is also made once, and every e2e stack's state dir starts
 * with both, as do the stacks some e2e files start of their own
 * (seedStateDir, tests/support/e2e-stack.ts).
 *
 * It does not wait for the stacks to serve (about 15 s on 2 cores): vitest
 * runs every project's globalSetup before any file, the unit and CDK files
 * included. Each e2e file waits for its project's stack instead
 * (tests/support/e2e-stack-ready.ts, a setupFiles entry); a stack that does
 * not start leaves its error in its state dir, and every e2e file fails with
 * it. The stacks listen on ports chosen here, so that their endpoints can be
 * provided before they serve (tests/support/e2e-stack.ts).
 *
 * vitest loads this file once per project, each in its own module graph, so
 * the stacks are kept on `globalThis` of vitest's main process and stopped
 * (started or still starting) when the last project tears down.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { configFromEnv } from '../../local/config.ts';
import { spawnStackProcess, type StartingStack } from '../../local/child-process-stack.ts';
import { freeBasePort, plannedEndpoints, seedStateDir, startFailurePath, type PlannedEndpoints } from './e2e-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stateDir: string;
    /** The pid whose ready file in stateDir says the stack serves (tests/support/e2e-stack.ts). */
    stackPid: number;
    outputsPath: string;
    galleryUrl: string;
    rekognitionEndpoint: string;
    lambdaEndpoint: string;
    s3Endpoint: string;
    dynamodbEndpoint: string;
  }
}

/** Each completion-callback attempt's deadline in the e2e stack: shorter than AWS's 5 s, so the slow-receiver test stays short. */
const callbackAttemptDeadlineMs = '2000';

/** The setupFiles entry with which an e2e project's files wait for its stack themselves. */
const filesWaitEntry = 'e2e-stack-ready.ts';

/** The project whose parts get a stack of their own; every other e2e project shares the first. */
const serialProject = 'e2e-serial';
type StackName = 'shared' | 'serial';
const stackNameOf = (projectName: string): StackName => (projectName === serialProject ? 'serial' : 'shared');

interface StartedStack {
  readonly stack: StartingStack;
  /** The first of its consecutive ports (LABELCAST_PORT). */
  readonly basePort: number;
  readonly endpoints: PlannedEndpoints;
}

interface E2eStacks {
  /** Made before any stack starts; holds what each stack's state dir starts with (seededParts). */
  readonly seedDir: string;
  readonly started: Map<StackName, Promise<StartedStack>>;
  users: number;
}

const stacksKey = Symbol.for('labelcast.tests.e2eStacks');
const registry = globalThis as typeof globalThis & { [stacksKey]?: Promise<E2eStacks> };

async function makeCa(): Promise<E2eStacks> {
  // Read by the stacks (local/config.ts) and by tests/e2e/callback.test.ts, whose workers inherit it.
  process.env.LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS ??= callbackAttemptDeadlineMs;
  const seedDir = mkdtempSync(path.join(tmpdir(), 'labelcast-e2e-seed-'));
  const tls = await loadOrCreateTls(seedDir);
  process.env.NODE_EXTRA_CA_CERTS = tls.caPath;
  openLocalUserPool({ stateDir: seedDir, region: configFromEnv({}).region, origin: 'https://127.0.0.1' });
  return { seedDir, started: new Map(), users: 0 };
}

/** Starts the stack on ports of its own; its start failure, if any, is written where the e2e files look. */
async function startStack(stacks: E2eStacks, name: StackName, otherStacks: Promise<StartedStack>[]): Promise<StartedStack> {
  const stateDir = mkdtempSync(path.join(tmpdir(), `labelcast-e2e-${name}-`));
  seedStateDir(stateDir, stacks.seedDir);
  const basePort = await freeBasePort(await Promise.all(otherStacks.map(async (other) => (await other).basePort)));
  const stack = spawnStackProcess({ stateDir, basePort });
  stack.ready.catch((error: unknown) => writeFileSync(startFailurePath(stateDir), error instanceof Error ? error.message : String(error)));
  return { stack, basePort, endpoints: plannedEndpoints(stateDir, basePort) };
}

function startOnce(stacks: E2eStacks, name: StackName): Promise<StartedStack> {
  let started = stacks.started.get(name);
  if (!started) {
    started = startStack(stacks, name, [...stacks.started.values()]);
    stacks.started.set(name, started);
  }
  return started;
}

export default async function setup(project: TestProject) {
  registry[stacksKey] ??= makeCa();
  const stacks = await registry[stacksKey];
  stacks.users += 1;
  // vitest runs the projects' setups one after the other: the first starts every e2e project's stack, side by side.
  for (const each of project.vitest.projects) {
    if ([each.config.globalSetup].flat().some((file) => file.endsWith('local-stack-setup.ts'))) void startOnce(stacks, stackNameOf(each.name));
  }
  const { stack, endpoints } = await startOnce(stacks, stackNameOf(project.name));
  // A project whose files do not wait for the stack themselves gets it served before any file runs, as before.
  if (![project.config.setupFiles].flat().some((file) => file.endsWith(filesWaitEntry))) await stack.ready;
  // The CLI tests' child processes find the shared stack by it.
  if (stackNameOf(project.name) === 'shared') process.env.LABELCAST_OUTPUTS = endpoints.outputsPath;
  project.provide('stateDir', stack.stateDir);
  project.provide('stackPid', stack.process.pid ?? -1);
  project.provide('outputsPath', endpoints.outputsPath);
  project.provide('galleryUrl', endpoints.galleryUrl);
  project.provide('rekognitionEndpoint', endpoints.rekognitionEndpoint);
  project.provide('lambdaEndpoint', endpoints.lambdaEndpoint);
  project.provide('s3Endpoint', endpoints.s3Endpoint);
  project.provide('dynamodbEndpoint', endpoints.dynamodbEndpoint);
  return async () => {
    stacks.users -= 1;
    if (stacks.users > 0) return;
    delete registry[stacksKey];
    for (const started of stacks.started.values()) {
      const { stack: each } = await started;
      // A stack still starting is stopped too; one that never served has already failed the e2e files.
      const code = await each.stop();
      const served = await each.ready.then(
        () => true,
        () => false,
      );
      if (served && code !== 0) console.error(`stack exited with ${code}:\n${each.stdout()}`);
    }
    rmSync(stacks.seedDir, { recursive: true, force: true });
  };
}
