/**
 * The stack's process starts with the malloc settings of local/stack-process-env.ts, by either way it is started:
 * `npm start` (package.json's script) and spawnStackProcess (the tests' and benches' stacks). glibc reads them only at
 * the process's start, so the environment the process was started with is what counts: /proc/<pid>/environ.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { spawnStackProcess } from '../../local/child-process-stack.ts';
import { stackProcessMallocEnvironment } from '../../local/stack-process-env.ts';

const settings = Object.entries(stackProcessMallocEnvironment).map(([name, value]) => `${name}=${value}`);

describe('the stack process malloc environment', () => {
  it("is what npm start's script sets before it runs local/start.js", () => {
    // Act
    const { scripts } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

    // Assess
    expect(scripts.start).toBe(`${settings.join(' ')} node local/start.js`);
  });

  it.runIf(process.platform === 'linux')('is in the environment spawnStackProcess starts the stack with', async () => {
    // Prepare: a parent environment that says otherwise must not win
    const inherited = { ...process.env };
    process.env.MALLOC_ARENA_MAX = '8';
    let stack: ReturnType<typeof spawnStackProcess> | undefined;
    try {
      // Act: node spawns only once the child has exec'd, so its environment is there at once; no need to let it start
      stack = spawnStackProcess();
      stack.ready.catch(() => undefined);
      const environ = readFileSync(`/proc/${stack.process.pid}/environ`, 'utf8').split('\0');

      // Assess
      for (const setting of settings) expect(environ).toContain(setting);
    } finally {
      process.env = inherited;
      await stack?.stop('SIGKILL');
      if (stack) rmSync(stack.stateDir, { recursive: true, force: true });
    }
  });
});
