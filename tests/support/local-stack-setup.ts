/**
 * vitest globalSetup for the e2e project: one offline stack for all e2e files.
 * Test workers are forked after this runs, so they inherit NODE_EXTRA_CA_CERTS
 * and trust the stack's self-signed CA, as a user's Node client would.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startStackProcess } from '../../local/child-process-stack.ts';

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

export default async function setup(project: TestProject) {
  // Read by the stack (local/config.ts) and by tests/e2e/callback.test.ts, whose workers inherit it.
  process.env.LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS ??= callbackAttemptDeadlineMs;
  const stack = await startStackProcess();
  process.env.NODE_EXTRA_CA_CERTS = stack.caPath;
  process.env.LABELCAST_OUTPUTS = stack.outputsPath;
  project.provide('stateDir', stack.stateDir);
  project.provide('outputsPath', stack.outputsPath);
  project.provide('galleryUrl', stack.galleryUrl);
  project.provide('rekognitionEndpoint', stack.rekognitionEndpoint);
  project.provide('lambdaEndpoint', stack.lambdaEndpoint);
  project.provide('s3Endpoint', stack.s3Endpoint);
  project.provide('dynamodbEndpoint', stack.dynamodbEndpoint);
  return async () => {
    const code = await stack.stop();
    if (code !== 0) console.error(`stack exited with ${code}:\n${stack.stdout()}`);
  };
}
