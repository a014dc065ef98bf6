/**
 * vitest globalSetup for the e2e projects: an offline stack per project.
 * `e2e`, whose files run in parallel, gets the shared stack; `e2e-serial`
 * (tests/e2e/serial.test.ts, whose parts flip stack-wide state one at a time;
 * see vitest.config.ts) gets one of its own, so that it can run beside them.
 * Both are started at once, with one self-signed CA made before either:
 * test workers are forked after this runs and inherit NODE_EXTRA_CA_CERTS,
 * which Node reads once, so they trust both stacks, as a user's Node client
 * would trust its one.
 *
 * vitest loads this file once per project, each in its own module graph, so
 * the stacks are kept on `globalThis` of vitest's main process and stopped
 * when the last project tears down.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';
import { startStackProcess, type RunningStack } from '../../local/child-process-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stateDir: string;
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

/** The project whose parts get a stack of their own; every other e2e project shares the first. */
const serialProject = 'e2e-serial';
type StackName = 'shared' | 'serial';
const stackNameOf = (projectName: string): StackName => (projectName === serialProject ? 'serial' : 'shared');

interface E2eStacks {
  /** Made before any stack starts; holds `tls/`, which each stack's state dir starts with. */
  readonly caDir: string;
  readonly started: Map<StackName, Promise<RunningStack>>;
  users: number;
}

const stacksKey = Symbol.for('labelcast.tests.e2eStacks');
const registry = globalThis as typeof globalThis & { [stacksKey]?: Promise<E2eStacks> };

async function makeCa(): Promise<E2eStacks> {
  // Read by the stacks (local/config.ts) and by tests/e2e/callback.test.ts, whose workers inherit it.
  process.env.LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS ??= callbackAttemptDeadlineMs;
  const caDir = mkdtempSync(path.join(tmpdir(), 'labelcast-e2e-ca-'));
  const tls = await loadOrCreateTls(caDir);
  process.env.NODE_EXTRA_CA_CERTS = tls.caPath;
  return { caDir, started: new Map(), users: 0 };
}

function startOnce(stacks: E2eStacks, name: StackName): Promise<RunningStack> {
  let started = stacks.started.get(name);
  if (!started) {
    const stateDir = mkdtempSync(path.join(tmpdir(), `labelcast-e2e-${name}-`));
    cpSync(path.join(stacks.caDir, 'tls'), path.join(stateDir, 'tls'), { recursive: true });
    started = startStackProcess({ stateDir });
    // Awaited by its project's setup, or only stopped at teardown if that project has no file in this run.
    started.catch(() => undefined);
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
  const stack = await startOnce(stacks, stackNameOf(project.name));
  // The CLI tests' child processes find the shared stack by it.
  if (stackNameOf(project.name) === 'shared') process.env.LABELCAST_OUTPUTS = stack.outputsPath;
  project.provide('stateDir', stack.stateDir);
  project.provide('outputsPath', stack.outputsPath);
  project.provide('galleryUrl', stack.galleryUrl);
  project.provide('rekognitionEndpoint', stack.rekognitionEndpoint);
  project.provide('lambdaEndpoint', stack.lambdaEndpoint);
  project.provide('s3Endpoint', stack.s3Endpoint);
  project.provide('dynamodbEndpoint', stack.dynamodbEndpoint);
  return async () => {
    stacks.users -= 1;
    if (stacks.users > 0) return;
    delete registry[stacksKey];
    for (const started of stacks.started.values()) {
      const running = await started.catch(() => undefined);
      const code = await running?.stop();
      if (running && code !== 0) console.error(`stack exited with ${code}:\n${running.stdout()}`);
    }
    rmSync(stacks.caDir, { recursive: true, force: true });
  };
}
