/**
 * vitest globalSetup for the e2e projects: one offline stack for all e2e files.
 * Test workers are forked after this runs, so they inherit NODE_EXTRA_CA_CERTS
 * and trust the stack's self-signed CA, as a user's Node client would.
 *
 * Both e2e projects (`e2e`, whose files run in parallel, and `e2e-serial`, whose
 * files flip stack-wide state one at a time; see vitest.config.ts) name this
 * file. vitest loads it once per project, each in its own module graph, so the
 * one stack is kept on `globalThis` of vitest's main process and stopped when
 * the last project tears down.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
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

interface SharedStack {
  readonly started: Promise<RunningStack>;
  users: number;
}

const sharedKey = Symbol.for('labelcast.tests.e2eStack');
const registry = globalThis as typeof globalThis & { [sharedKey]?: SharedStack };

function acquireStack(): SharedStack {
  const shared = registry[sharedKey] ?? { started: startStack(), users: 0 };
  shared.users += 1;
  registry[sharedKey] = shared;
  return shared;
}

async function startStack(): Promise<RunningStack> {
  // Read by the stack (local/config.ts) and by tests/e2e/callback.test.ts, whose workers inherit it.
  process.env.LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS ??= callbackAttemptDeadlineMs;
  const stack = await startStackProcess();
  process.env.NODE_EXTRA_CA_CERTS = stack.caPath;
  process.env.LABELCAST_OUTPUTS = stack.outputsPath;
  return stack;
}

export default async function setup(project: TestProject) {
  const shared = acquireStack();
  const stack = await shared.started;
  project.provide('stateDir', stack.stateDir);
  project.provide('outputsPath', stack.outputsPath);
  project.provide('galleryUrl', stack.galleryUrl);
  project.provide('rekognitionEndpoint', stack.rekognitionEndpoint);
  project.provide('lambdaEndpoint', stack.lambdaEndpoint);
  project.provide('s3Endpoint', stack.s3Endpoint);
  project.provide('dynamodbEndpoint', stack.dynamodbEndpoint);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete registry[sharedKey];
    const code = await stack.stop();
    if (code !== 0) console.error(`stack exited with ${code}:\n${stack.stdout()}`);
  };
}
