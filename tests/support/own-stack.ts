/**
 * A stack of one e2e file's own, for a configuration the project's stack does not have (a Rekognition quota,
 * image properties on) or faults it must not see: started as the e2e stacks are (seeded CA and user pool key),
 * with the run's shared vision engine (e2eStackEnv), with Amplify pointed at it until it stops, then back at the project's stack for the rest of the worker.
 */
import { rmSync } from 'node:fs';
import { inject } from 'vitest';
import { configureAmplify } from '../../client-example/lib/configure.ts';
import { startStackProcess, type RunningStack } from '../../local/child-process-stack.ts';
import { e2eStackEnv, seedStateDir, visionEngineSocketVariable } from './e2e-stack.ts';

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
 * The settings a stack of a file's own starts with, over what it inherits from this process's environment (the spawn
 * copies it first, local/child-process-stack.ts): the run's shared vision engine, or with `ownEngine` the setting
 * emptied (local/config.ts reads '' as unset), so that a LABELCAST_VISION_ENGINE_SOCKET this process inherited does
 * not give the stack the shared engine after all; then `env`.
 */
export function ownStackEnv(env: Readonly<Record<string, string>>, options: Pick<OwnStackOptions, 'ownEngine'> = {}): Record<string, string> {
  return { ...(options.ownEngine ? { [visionEngineSocketVariable]: '' } : e2eStackEnv()), ...env };
}

/** Starts a stack in `stateDir` with `env` as its settings (ownStackEnv), and points Amplify at it. */
export async function startOwnStack(stateDir: string, env: Readonly<Record<string, string>> = {}, options: OwnStackOptions = {}): Promise<RunningStack> {
  // The CA the worker trusts (NODE_EXTRA_CA_CERTS is read once, at start) and the user pool's key, as the e2e stacks start.
  if (!options.restart) seedStateDir(stateDir);
  const stack = await startStackProcess({ stateDir, env: ownStackEnv(env, options), ...(options.basePort === undefined ? {} : { basePort: options.basePort }) });
  configureAmplify(stack.outputsPath);
  return stack;
}

/** Stops the stack (if it started), points Amplify back at the project's stack, and removes `stateDir`. */
export async function stopOwnStack(stack: RunningStack | undefined, stateDir: string): Promise<void> {
  await stack?.stop();
  configureAmplify(inject('outputsPath'));
  rmSync(stateDir, { recursive: true, force: true });
}
