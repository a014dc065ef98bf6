/**
 * A stack of one e2e file's own, for a configuration the project's stack does not have (a Rekognition quota,
 * image properties on) or faults it must not see: started as the e2e stacks are (seeded CA and user pool key),
 * with the run's shared vision engine (e2eStackEnv), with Amplify pointed at it until it stops, then back at the project's stack for the rest of the worker.
 */
import { rmSync } from 'node:fs';
import { inject } from 'vitest';
import { configureAmplify } from '../../client-example/lib/configure.ts';
import { startStackProcess, type RunningStack } from '../../local/child-process-stack.ts';
import { e2eStackEnv, seedStateDir } from './e2e-stack.ts';

export interface OwnStackOptions {
  /** npm start's consecutive ports from here (freeBasePort), so that a restart keeps the URLs. @default free ports */
  readonly basePort?: number;
  /** A restart on the state of a stack that ran in `stateDir`: it is not seeded again. */
  readonly restart?: boolean;
  /**
   * Loads a vision engine of its own rather than use the run's shared one (e2eStackEnv): for a stack whose every
   * Rekognition call must not wait behind the other stacks' analyses in the shared engine's one worker.
   * @default false
   */
  readonly ownEngine?: boolean;
}

/**
 * Starts a stack in `stateDir` with `env` added to this process's environment for the start only (the stack
 * reads its settings from the environment, as npm start does), and points Amplify at it.
 */
export async function startOwnStack(stateDir: string, env: Readonly<Record<string, string>> = {}, options: OwnStackOptions = {}): Promise<RunningStack> {
  // The CA the worker trusts (NODE_EXTRA_CA_CERTS is read once, at start) and the user pool's key, as the e2e stacks start.
  if (!options.restart) seedStateDir(stateDir);
  const before = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const stack = await startStackProcess({ stateDir, env: options.ownEngine ? {} : e2eStackEnv(), ...(options.basePort === undefined ? {} : { basePort: options.basePort }) });
    configureAmplify(stack.outputsPath);
    return stack;
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Stops the stack (if it started), points Amplify back at the project's stack, and removes `stateDir`. */
export async function stopOwnStack(stack: RunningStack | undefined, stateDir: string): Promise<void> {
  await stack?.stop();
  configureAmplify(inject('outputsPath'));
  rmSync(stateDir, { recursive: true, force: true });
}
