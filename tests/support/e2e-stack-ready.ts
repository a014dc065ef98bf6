/**
 * vitest setupFiles entry of the e2e projects: before each e2e file is imported, wait until the project's
 * stack serves (tests/support/e2e-stack.ts), since the setup only started it; a stack that did not start
 * fails the file with the stack's error and output.
 */
import { untilE2eStackReady } from './e2e-stack.ts';

await untilE2eStackReady();
