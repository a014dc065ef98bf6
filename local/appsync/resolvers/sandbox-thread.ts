/**
 * The one thread every APPSYNC_JS sandbox of this process runs on
 * (sandbox-worker.mjs), called synchronously: the host posts a request, then
 * blocks on a shared flag until the answer is posted or the time limit
 * passes (Atomics.wait), and reads the answer off the port at once
 * (receiveMessageOnPort).
 *
 * Why a thread: node:vm's `timeout` option starts and joins a watchdog
 * thread for every evaluation, which cost ~0.3 ms a handler call on a quiet
 * machine and several on a loaded one (six calls a pipeline request). Here
 * the thread lives on, and a call is two wake-ups. A call past its limit
 * terminates the thread, which ends the runaway code wherever it is; the next
 * call starts a fresh thread and loads its sandboxes again.
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

const workerFile = fileURLToPath(new URL('./sandbox-worker.mjs', import.meta.url));

/** How long a new thread may take to start: far longer than any start, and not an evaluation's time limit. */
const startTimeoutMs = 60_000;

export type SandboxRequest =
  | { readonly op: 'load'; readonly id: number; readonly name: string; readonly source: string }
  | { readonly op: 'call'; readonly id: number; readonly input: string };

export type SandboxAnswer = (
  | { readonly ok: true; readonly problem?: string; readonly answer?: string }
  | { readonly ok: false; readonly message: string }
) & { readonly logs: readonly (readonly [level: string, text: string])[] };

/** The thread did not answer within the time limit (it was terminated). */
export class SandboxTimeout extends Error {
  public override readonly name = 'SandboxTimeout';
}

/** The sandbox thread could not be started or stopped answering; a bug here, not in resolver code. */
export class SandboxThreadError extends Error {
  public override readonly name = 'SandboxThreadError';
}

class SandboxThread {
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  /** Sandbox ids loaded on this thread. */
  public readonly loaded = new Set<number>();
  public alive = true;

  public constructor(runtimeSource: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerFile, {
      workerData: { port: port2, signal: this.signal, runtimeSource },
      transferList: [port2],
      // Plain JavaScript: no TypeScript loader, no inherited flags.
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.worker.on('error', (error) => {
      this.alive = false;
      console.error('[appsync] the resolver sandbox thread failed:', error);
    });
    this.worker.on('exit', () => (this.alive = false));
    if (!this.waitForSignal(startTimeoutMs)) {
      void this.worker.terminate();
      throw new SandboxThreadError(`the resolver sandbox thread did not start within ${startTimeoutMs} ms`);
    }
  }

  /** Blocks until the thread raises the flag (true) or `timeoutMs` passes (false). */
  private waitForSignal(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (Atomics.load(this.signal, 0) === 1) return true;
      const left = deadline - performance.now();
      if (left <= 0 || !this.alive) return false;
      Atomics.wait(this.signal, 0, 0, left);
    }
  }

  /** Sends `request` and blocks for its answer; throws SandboxTimeout (and ends the thread) past `timeoutMs`. */
  public request(request: SandboxRequest, timeoutMs: number): SandboxAnswer {
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage(request);
    if (!this.waitForSignal(timeoutMs)) {
      const wasAlive = this.alive;
      this.stop();
      if (!wasAlive) throw new SandboxThreadError('the resolver sandbox thread exited');
      throw new SandboxTimeout(`no answer within ${timeoutMs} ms`);
    }
    const received = receiveMessageOnPort(this.port);
    if (!received) throw new SandboxThreadError('the resolver sandbox thread signalled without an answer');
    return received.message as SandboxAnswer;
  }

  public stop(): void {
    this.alive = false;
    this.port.close();
    // Terminating stops the thread's JavaScript wherever it is, a runaway loop included.
    void this.worker.terminate();
  }
}

let current: SandboxThread | undefined;

/** The live sandbox thread, started (with `runtimeSource` in every context) when there is none. */
export function sandboxThread(runtimeSource: () => string): SandboxThread {
  if (!current?.alive) current = new SandboxThread(runtimeSource());
  return current;
}
