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
 * Every e2e stack, these and those e2e files start of their own (but the
 * burst's, tests/e2e/burst.test.ts says why), uses the run's one vision
 * engine host (tests/support/shared-vision-engine.ts, the unit test
 * processes' too) by the stacks' own socket, whose requests the host serves
 * first, through LABELCAST_VISION_ENGINE_SOCKET (e2eStackEnv), rather than
 * load the models in a worker of its own: about 3 CPU-s a stack start, and
 * each picture is analysed once a run, not once a stack (nor again for the
 * stacks when a unit file analysed it, or the other way). The engine's
 * answers are the same (a pure function of the pixels and the tasks); what
 * the e2e files check of Rekognition (calls, quota, faults, stats) is the
 * stack's own local Rekognition in front of it. This process holds a
 * connection to the host until the stacks stop, so that it serves them all.
 * A stack connects to the host once: should the host's worker fail (a unit
 * test's request can crash it), the host exits and the stacks' analyses fail
 * for the rest of the run (this process says so on stderr).
 *
 * It does not wait for the stacks to serve (about 15 s on 2 cores): vitest
 * runs every project's globalSetup before any file, the unit and CDK files
 * included. Each e2e file waits for its project's stack instead
 * (tests/support/e2e-stack-ready.ts, a setupFiles entry); a stack that does
 * not start leaves its error in its state dir, and every e2e file fails with
 * it. The stacks listen on ports chosen here, so that their endpoints can be
 * provided before they serve (tests/support/e2e-stack.ts); their bases are
 * provided too, so that a file starting a stack of its own on fixed ports
 * keeps off them (freeBasePort).
 *
 * vitest loads this file once per project, each in its own module graph, so
 * the stacks are kept on `globalThis` of vitest's main process and stopped
 * (served, still starting or failed) when the last project whose setup
 * succeeded tears down, or by a setup that fails when no other succeeded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { configFromEnv } from '../../local/config.ts';
import { ApiRateLimitSetting, WafRateLimits } from '../../api/rate-limit.ts';
import { spawnStackProcess, type StartingStack } from '../../local/child-process-stack.ts';
import { settingFromSocket } from '../../local/rekognition/engine-socket-name.ts';
import { freeBasePort, plannedEndpoints, seedStateDir, startFailurePath, visionEngineSocketVariable, type PlannedEndpoints } from './e2e-stack.ts';
import { holdSharedVisionEngine } from './shared-vision-engine.ts';

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
    /** Every e2e stack's base port this run, for the files that start a stack of their own on fixed ports (freeBasePort). */
    e2eBasePorts: number[];
    /** LABELCAST_VISION_ENGINE_SOCKET of every e2e stack (the run's shared vision engine); '' for an engine of each stack's own. */
    visionEngineSocket: string;
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
  /** The run's shared vision engine, held open until the stacks stop; undefined where there is none (not Linux). */
  readonly engine: Awaited<ReturnType<typeof holdSharedVisionEngine>>;
  users: number;
}

const stacksKey = Symbol.for('labelcast.tests.e2eStacks');
const registry = globalThis as typeof globalThis & { [stacksKey]?: Promise<E2eStacks> };

async function makeCa(): Promise<E2eStacks> {
  // Read by the stacks (local/config.ts) and by tests/e2e/callback.test.ts, whose workers inherit it.
  process.env.LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS ??= callbackAttemptDeadlineMs;
  // Every test's requests come from 127.0.0.1, thousands a run: the API's rate limit (api/rate-limit.ts) raised to the
  // most WAF takes, for every stack the run starts (the workers inherit it); tests/e2e/rate-limit.test.ts starts one of
  // its own with the smallest.
  process.env[ApiRateLimitSetting.offlineVariables.limit] ??= String(WafRateLimits.maxLimit);
  const seedDir = mkdtempSync(path.join(tmpdir(), 'labelcast-e2e-seed-'));
  const tls = await loadOrCreateTls(seedDir);
  process.env.NODE_EXTRA_CA_CERTS = tls.caPath;
  openLocalUserPool({ stateDir: seedDir, region: configFromEnv({}).region, origin: 'https://127.0.0.1' });
  const engine = await holdSharedVisionEngine();
  return { seedDir, started: new Map(), engine, users: 0 };
}

/** Starts the stack on ports of its own; its start failure, if any, is written where the e2e files look. */
async function startStack(stacks: E2eStacks, name: StackName, otherStacks: Promise<StartedStack>[]): Promise<StartedStack> {
  const stateDir = mkdtempSync(path.join(tmpdir(), `labelcast-e2e-${name}-`));
  seedStateDir(stateDir, stacks.seedDir);
  const basePort = await freeBasePort(await Promise.all(otherStacks.map(async (other) => (await other).basePort)));
  const stack = spawnStackProcess({ stateDir, basePort, env: stackEnv(stacks) });
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

/**
 * Stops every stack, whether it serves, is still starting or never started (a start that threw has already
 * failed the setup; one that never served has already failed the e2e files): one outcome stops no other.
 */
export async function stopEvery(started: Iterable<Promise<Pick<StartedStack, 'stack'>>>): Promise<void> {
  await Promise.allSettled(
    [...started].map(async (each) => {
      const { stack } = await each;
      const code = await stack.stop();
      const served = await stack.ready.then(
        () => true,
        () => false,
      );
      if (served && code !== 0) console.error(`stack exited with ${code}:\n${stack.stdout()}`);
    }),
  );
}

/** LABELCAST_VISION_ENGINE_SOCKET as an environment variable holds it (no NUL byte: '@' for the abstract namespace). */
const socketSetting = (stacks: E2eStacks): string => (stacks.engine ? settingFromSocket(stacks.engine.socket) : '');

const stackEnv = (stacks: E2eStacks): Record<string, string> => (stacks.engine ? { [visionEngineSocketVariable]: socketSetting(stacks) } : {});

async function stopAll(stacks: E2eStacks): Promise<void> {
  delete registry[stacksKey];
  await stopEvery(stacks.started.values());
  await stacks.engine?.release();
  // Each stack's state (its tables, objects and logs, ~14 MB) goes with the run, as the seed does.
  for (const started of stacks.started.values()) rmSync((await started).stack.stateDir, { recursive: true, force: true });
  rmSync(stacks.seedDir, { recursive: true, force: true });
}

function provideStack(project: TestProject, { stack, endpoints }: StartedStack, basePorts: number[], engineSocket: string): void {
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
  project.provide('e2eBasePorts', basePorts);
  project.provide('visionEngineSocket', engineSocket);
}

export default async function setup(project: TestProject) {
  registry[stacksKey] ??= makeCa();
  const stacks = await registry[stacksKey];
  try {
    // vitest runs the projects' setups one after the other: the first starts every e2e project's stack, side by side.
    for (const each of project.vitest.projects) {
      if ([each.config.globalSetup].flat().some((file) => file.endsWith('local-stack-setup.ts'))) void startOnce(stacks, stackNameOf(each.name));
    }
    const ownStart = startOnce(stacks, stackNameOf(project.name));
    // Awaited together (a start that throws is handled, not left to reject unheard): ports are chosen and the
    // processes spawned at once, so this waits for no stack to serve.
    const basePorts = (await Promise.all(stacks.started.values())).map((each) => each.basePort);
    const own = await ownStart;
    // A project whose files do not wait for the stack themselves gets it served before any file runs, as before.
    if (![project.config.setupFiles].flat().some((file) => file.endsWith(filesWaitEntry))) await own.stack.ready;
    provideStack(project, own, basePorts, socketSetting(stacks));
  } catch (error) {
    // No teardown of this project's will run: when no other project's will either, the stacks stop here.
    if (stacks.users === 0) await stopAll(stacks);
    throw error;
  }
  // Counted only once nothing can throw, so that the last teardown that runs stops the stacks.
  stacks.users += 1;
  return async () => {
    stacks.users -= 1;
    if (stacks.users > 0) return;
    await stopAll(stacks);
  };
}
