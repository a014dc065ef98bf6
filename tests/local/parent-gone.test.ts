/**
 * A stack started by a program (local/child-process-stack.ts, as the tests and the bench start theirs) stops
 * when that program dies without stopping it, even by SIGKILL: a killed test run must not leave stacks behind
 * holding their ports and hundreds of MiB each.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { waitFor } from '../support/wait-for.ts';

const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-parent-gone-'));
/** What this file started, killed in afterAll if a failed test left it running. */
const started: number[] = [];
afterAll(() => {
  for (const pid of started) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

/** Whether a process with this pid still runs (signal 0 only checks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a stack whose parent is gone', () => {
  it('stops when the program that started it is killed with SIGKILL', async () => {
    // Prepare: a parent program that starts a stack, prints its pid once ready, and waits
    const parentCode = `
      const { startStackProcess } = await import(${JSON.stringify(path.join(repoRoot, 'local/child-process-stack.ts'))});
      const stack = await startStackProcess({ stateDir: ${JSON.stringify(stateDir)} });
      console.log('stack pid ' + stack.process.pid);
      setInterval(() => {}, 60_000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', parentCode], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    if (parent.pid) started.push(parent.pid);
    let printed = '';
    parent.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await waitFor(() => /stack pid \d+/.test(printed) || parent.exitCode !== null);
    const stackPid = Number(/stack pid (\d+)/.exec(printed)?.[1]);
    started.push(stackPid);
    expect(isRunning(stackPid)).toBe(true);

    // Act
    parent.kill('SIGKILL');

    // Assess: the stack ends by itself
    await waitFor(() => !isRunning(stackPid));
    expect(isRunning(stackPid)).toBe(false);
  }, 180_000);
});
