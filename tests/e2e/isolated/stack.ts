/**
 * The stack of tests/e2e/isolated.test.ts, which its parts share one after the other: started before the first
 * part with LABELCAST_IMAGE_PROPERTIES=true (what the image-properties part is about; the other parts do not
 * look at properties), on fixed ports (freeBasePort) so that the gallery part can restart it on the same URLs,
 * and stopped after the last part. Imported first by the entry file, so that its hooks wrap every part.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ImagePropertiesSetting } from '../../../api/image-properties-setting.ts';
import type { RunningStack } from '../../../local/child-process-stack.ts';
import { freeBasePort, plannedBasePorts } from '../../support/e2e-stack.ts';
import { startOwnStack, stopOwnStack } from '../../support/own-stack.ts';

const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-isolated-'));
const settings = { [ImagePropertiesSetting.offlineVariable]: 'true' };
let basePort: number | undefined;
let running: RunningStack | undefined;

beforeAll(async () => {
  // Below the ephemeral range and off the run's e2e stacks' ports (which may not listen yet), so that nothing
  // takes them while the stack is down for the gallery part's restart.
  basePort = await freeBasePort(plannedBasePorts());
  running = await startOwnStack(stateDir, settings, { basePort });
}, 180_000);

afterAll(() => stopOwnStack(running, stateDir));

/** The stack as it runs now (a restart gives a new one); throws before it started. */
export function isolatedStack(): RunningStack {
  if (!running) throw new Error('the isolated stack has not started (tests/e2e/isolated/stack.ts)');
  return running;
}

/** The first of its ports, which a restart keeps. */
export function isolatedBasePort(): number {
  if (basePort === undefined) throw new Error('the isolated stack has not started (tests/e2e/isolated/stack.ts)');
  return basePort;
}

/** Stops it, as Ctrl-C would; restartIsolatedStack starts it again on the same state and ports. */
export async function stopIsolatedStack(): Promise<void> {
  await isolatedStack().stop();
}

/** Starts it again on the same state, ports and settings, and points Amplify at it. */
export async function restartIsolatedStack(): Promise<RunningStack> {
  running = await startOwnStack(stateDir, settings, { basePort: isolatedBasePort(), restart: true });
  return running;
}
