/**
 * The sandbox thread's liveness: a thread that crashes while the host waits on it (blocked in
 * Atomics.wait, so the Worker's own events cannot run) fails that request at once with
 * SandboxThreadError, rather than after the time limit as a timeout.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAppSyncError, SandboxThreadError } from '../../local/appsync/errors.ts';
import { SandboxThread } from '../../local/appsync/resolvers/sandbox-thread.ts';

const crashingWorker = fileURLToPath(new URL('./workers/crashing-sandbox-worker.mjs', import.meta.url));
/** Far longer than a crash takes to be noticed: a wait that ran out would end as SandboxTimeout instead. */
const timeoutMs = 10_000;

let thread: SandboxThread | undefined;
afterEach(() => thread?.stop());

describe('Class: SandboxThread', () => {
  describe('Method: request', () => {
    it('answers calls, and fails the waiting request with SandboxThreadError when its thread crashes', () => {
      // Prepare: a thread with no sandbox loaded answers every call with a problem of its own.
      thread = new SandboxThread({ runtimeSource: '', workerFile: crashingWorker });
      const answer = thread.request({ op: 'call', calls: [{ id: 999, input: '{}' }] }, timeoutMs);
      expect(answer.calls).toEqual([{ ok: false, message: 'no sandbox 999 on this thread', logs: [] }]);

      // Act: the thread crashes in the middle of the next call.
      let thrown: unknown;
      try {
        thread.request({ op: 'call', calls: [{ id: 666, input: '{}' }] }, timeoutMs);
      } catch (error) {
        thrown = error;
      }

      // Assess: the area's own error, saying the thread exited (not a timeout), and the thread is done.
      expect(thrown).toBeInstanceOf(SandboxThreadError);
      expect(thrown).toBeInstanceOf(LocalAppSyncError);
      expect((thrown as Error).message).toMatch(/exited while a request waited on it/);
      expect(thread.alive).toBe(false);
      expect(() => thread?.request({ op: 'call', calls: [{ id: 999, input: '{}' }] }, timeoutMs)).toThrow(SandboxThreadError);
    });
  });
});
