/**
 * The one thread every APPSYNC_JS sandbox of this process runs on
 * (sandbox-worker.mjs), called synchronously: the host posts a request, then
 * blocks on a shared flag until the answer is posted, the thread exits, or
 * the time limit passes (Atomics.wait), and reads the answer off the port at
 * once (receiveMessageOnPort).
 *
 * Why a thread: node:vm's `timeout` option starts and joins a watchdog
 * thread for every evaluation, which cost ~0.3 ms a handler call on a quiet
 * machine and several on a loaded one (six calls a pipeline request). Here
 * the thread lives on, and a request is two wake-ups. A call past its limit
 * terminates the thread, which ends the runaway code wherever it is; the next
 * call starts a fresh thread and loads its sandboxes again.
 *
 * A request may carry a chain of handler calls (sandbox.ts): the thread runs
 * the next one only when the one before returned a value, so a pipeline costs
 * one round trip per data source call plus one. Each call of a chain has its
 * own time limit: the thread stamps when each call starts.
 *
 * Shared memory (`shared`), written by the thread, read by the host:
 *
 *   Int32  [0] state: 0 while a request is under way, 1 answered (or ready, at start), 2 the thread exited
 *   Int32  [1] index, in its chain, of the call under way
 *   Int32  [2] the bell: the host sets it to 1 once a request is on the port (the thread waits on it, not on its event loop)
 *   Float64[2] when the call under way started (timeOrigin + now, ms: the same clock on both threads)
 *
 * The thread's own `exit` handler sets state 2 and wakes the host: the host is
 * blocked in Atomics.wait, so the Worker's 'exit'/'error' events could only
 * run after the wait had timed out. (A thread that dies without running
 * JavaScript, out of memory, is still noticed at the time limit.)
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { SandboxThreadError, SandboxTimeout } from '../errors.ts';

const defaultWorkerFile = fileURLToPath(new URL('./sandbox-worker.mjs', import.meta.url));

/** How long a new thread may take to start: far longer than any start, and not an evaluation's time limit. */
const startTimeoutMs = 60_000;

/** Values of the state slot, as sandbox-worker.mjs writes them. */
export const ThreadState = { busy: 0, answered: 1, exited: 2 } as const;

/** One handler call: `input` is DispatchInput's JSON; in a chain, the calls after the first are templates (sandbox-worker.mjs). */
export interface SandboxCall {
  readonly id: number;
  readonly input: string;
}

export type SandboxRequest =
  | { readonly op: 'load'; readonly id: number; readonly name: string; readonly source: string }
  | { readonly op: 'call'; readonly calls: readonly SandboxCall[] };

type Logs = readonly (readonly [level: string, text: string])[];

export type LoadAnswer = ({ readonly ok: true; readonly problem: string } | { readonly ok: false; readonly message: string }) & { readonly logs: Logs };

export type CallAnswer = ({ readonly ok: true; readonly answer: string } | { readonly ok: false; readonly message: string }) & { readonly logs: Logs };

/** The answers of a chain's calls that ran, in order (the first always). */
export interface ChainAnswer {
  readonly calls: readonly CallAnswer[];
}

export interface SandboxThreadOptions {
  /** The script every sandbox runs first. */
  readonly runtimeSource: string;
  /** The thread's script (a test seam). @default sandbox-worker.mjs */
  readonly workerFile?: string;
}

export class SandboxThread {
  private readonly shared = new SharedArrayBuffer(24);
  private readonly flags = new Int32Array(this.shared, 0, 3);
  private readonly clock = new Float64Array(this.shared, 16, 1);
  private readonly port: MessagePort;
  private readonly worker: Worker;
  /** Sandbox ids loaded on this thread. */
  public readonly loaded = new Set<number>();
  private stopped = false;

  public constructor(options: SandboxThreadOptions) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(options.workerFile ?? defaultWorkerFile, {
      workerData: { port: port2, shared: this.shared, runtimeSource: options.runtimeSource },
      transferList: [port2],
      // Plain JavaScript: no TypeScript loader, no inherited flags.
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.worker.on('error', (error) => console.error('[appsync] the resolver sandbox thread failed:', error));
    // A thread that died without running its exit handler (out of memory) is known here once the event loop runs.
    this.worker.on('exit', () => (this.stopped = true));
    const started = this.waitForAnswer(performance.now(), startTimeoutMs);
    if (started !== 'answered') {
      this.stop();
      throw new SandboxThreadError(
        started === 'exited' ? 'the resolver sandbox thread exited while starting' : `the resolver sandbox thread did not start within ${startTimeoutMs} ms`,
      );
    }
  }

  /** Whether the thread can take requests: not stopped, and not exited. */
  public get alive(): boolean {
    return !this.stopped && Atomics.load(this.flags, 0) !== ThreadState.exited;
  }

  /**
   * Blocks until the thread answers or exits, or the call under way has run `timeoutMs`
   * (a call of a chain counts from its own start, stamped by the thread).
   */
  private waitForAnswer(sentAt: number, timeoutMs: number): 'answered' | 'exited' | 'timeout' {
    for (;;) {
      const state = Atomics.load(this.flags, 0);
      if (state === ThreadState.answered) return 'answered';
      if (state === ThreadState.exited) return 'exited';
      const callStartedAt = this.clock[0] - performance.timeOrigin;
      const left = Math.max(sentAt, callStartedAt) + timeoutMs - performance.now();
      if (left <= 0) return 'timeout';
      Atomics.wait(this.flags, 0, ThreadState.busy, left);
    }
  }

  /**
   * Sends `request` and blocks for its answer. Throws SandboxTimeout (and ends the thread) when a call
   * runs past `timeoutMs`, SandboxThreadError when the thread exits meanwhile.
   */
  public request(request: Extract<SandboxRequest, { op: 'load' }>, timeoutMs: number): LoadAnswer;
  public request(request: Extract<SandboxRequest, { op: 'call' }>, timeoutMs: number): ChainAnswer;
  public request(request: SandboxRequest, timeoutMs: number): LoadAnswer | ChainAnswer {
    if (!this.alive) throw new SandboxThreadError('the resolver sandbox thread has exited');
    const sentAt = performance.now();
    Atomics.store(this.flags, 0, ThreadState.busy);
    Atomics.store(this.flags, 1, 0);
    this.clock[0] = 0;
    this.port.postMessage(request);
    Atomics.store(this.flags, 2, 1);
    Atomics.notify(this.flags, 2);
    const outcome = this.waitForAnswer(sentAt, timeoutMs);
    if (outcome === 'exited') {
      this.stop();
      throw new SandboxThreadError('the resolver sandbox thread exited while a request waited on it');
    }
    if (outcome === 'timeout') {
      const callIndex = Atomics.load(this.flags, 1);
      this.stop();
      throw new SandboxTimeout(`no answer within ${timeoutMs} ms`, callIndex);
    }
    const received = receiveMessageOnPort(this.port);
    if (!received) throw new SandboxThreadError('the resolver sandbox thread signalled without an answer');
    return received.message as LoadAnswer | ChainAnswer;
  }

  public stop(): void {
    this.stopped = true;
    this.port.close();
    // Terminating stops the thread's JavaScript wherever it is, a runaway loop included.
    void this.worker.terminate();
  }
}

let current: SandboxThread | undefined;

/** The live sandbox thread, started (with `runtimeSource` in every context) when there is none. */
export function sandboxThread(runtimeSource: () => string): SandboxThread {
  if (!current?.alive) current = new SandboxThread({ runtimeSource: runtimeSource() });
  return current;
}
