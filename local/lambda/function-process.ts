/**
 * A function's warm host processes and their in-flight invocations. A process
 * runs the function's bundle (function-bundle.ts), built once before its
 * first invocation as a deploy builds it, with plain node and the source
 * maps on, as the deployed functions' NODE_OPTIONS ask, and V8's heap limits
 * from the function's memory, as Lambda's Node.js bootstrap sets them (node-flags.ts).
 *
 * A timed-out invocation's process is killed, as Lambda discards a timed-out
 * sandbox. With `isolateInvocations`, each invocation in flight has a process
 * of its own (idle ones are reused), as each Lambda execution environment
 * runs one invocation at a time: a timeout then ends only the invocation that
 * ran out of time. The processes are capped (`maxProcesses`): past the cap an
 * invocation shares the process with the fewest in flight, as the local
 * runtime shares one process without isolation (it throttles no Invoke, and
 * AWS throttles none below the account's concurrency), so a burst of Invoke
 * calls forks no more than the cap and at most that many stay warm (a
 * timeout there ends the sharers too). Without it, concurrent invocations
 * share one process and a timeout ends them all; that is kept for the request-path functions
 * (presign, delete), whose bursts would otherwise fork a process a request.
 * A queue consumer needs isolation: killing a neighbour mid-run (say, after
 * the labeler published an image and before it recorded the push) makes its
 * messages come back and redo work AWS would never have interrupted.
 *
 * A process whose memory outgrows the function's is killed too, as Lambda
 * kills an environment past its memory, native memory included (memory-limit.ts):
 * while an invocation is in flight its processes are sampled every 100 ms, and
 * once more as each answers, so a spike between samples is not missed. Its
 * invocations in flight fail with `Runtime.OutOfMemory`, as a timeout fails them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { countLambdaRun } from '../stack-usage.ts';
import { FunctionError } from './errors.ts';
import { invokerValue } from './response-payload.ts';
import type { HostMessage, InvokeMessage } from './host-protocol.ts';
import { MemoryProbe, memoryIsWatched, memoryLimitBytes, memorySampleIntervalMs, outOfMemoryMessage, outOfMemoryReport } from './memory-limit.ts';
import { lambdaNodeFlags } from './node-flags.ts';

export interface FunctionProcessOptions {
  readonly name: string;
  /** Its code (function-bundle.ts): the host's bundle and the handler's, built once for the whole runtime. */
  readonly code: () => Promise<FunctionCode>;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** The function's configured memory (api/manifest.ts), which Lambda bills its run time by and sizes its heap from. @default 128 */
  readonly memoryMb?: number;
  /** Where the function's stdout/stderr go. */
  readonly logFile: string;
  /** One process per invocation in flight, so a timeout kills no other invocation. @default false */
  readonly isolateInvocations?: boolean;
  /** With isolateInvocations, the most processes alive at once (and so kept idle). @default 4 */
  readonly maxProcesses?: number;
  /** How often the processes running an invocation have their memory sampled (besides once at each answer). @default memorySampleIntervalMs (100) */
  readonly memorySampleIntervalMs?: number;
}

/** The bundles a function process runs. */
export interface FunctionCode {
  readonly host: string;
  readonly handler: string;
}

/** Isolated processes a function keeps at most: a few warm sandboxes, not a fork per concurrent Invoke call. */
const defaultMaxProcesses = 4;

interface Pending {
  child: ChildProcess;
  /** Given the handler's result as JSON text (response-payload.ts). */
  resolve(payload: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class FunctionProcess {
  /** The process shared by every invocation (without isolateInvocations). */
  private child: ChildProcess | undefined;
  /** Every live process, to end them on close. */
  private readonly children = new Set<ChildProcess>();
  private closed = false;
  private readonly pending = new Map<string, Pending>();
  /** Invocations in flight on each live process (with isolateInvocations). */
  private readonly load = new Map<ChildProcess, number>();
  /** Samples the memory of the processes with invocations in flight; set only while there are some. */
  private memoryTimer: NodeJS.Timeout | undefined;
  /** Each live process's memory probe, made at its first sample, closed as the process is forgotten. */
  private readonly probes = new Map<ChildProcess, MemoryProbe>();

  /** The function's memory: what it is billed, its heap sized and its processes held to. */
  private readonly memoryMb: number;

  public constructor(private readonly options: FunctionProcessOptions) {
    this.memoryMb = options.memoryMb ?? 128;
  }

  /**
   * Runs the handler on `event`: its result as the invoker gets it (JSON, response-payload.ts), or a FunctionError.
   * `responseLimitBytes`: a synchronous invoke's, past which the answer is Lambda's Function.ResponseSizeTooLarge.
   */
  public async invoke(event: unknown, options: { readonly responseLimitBytes?: number } = {}): Promise<unknown> {
    // Building the code is the deploy's part, not the run's: outside the timeout and the bill. A bundle that cannot
    // be built fails each invocation as a handler Lambda cannot import does.
    const code = await this.options.code().catch((error: unknown) => {
      throw new FunctionError('Runtime.ImportModuleError', error instanceof Error ? error.message : String(error));
    });
    // Closed while the bundle was being built: no process starts after close().
    if (this.closed) throw new FunctionError('Runtime.Shutdown', 'the local Lambda runtime is shutting down');
    const started = performance.now();
    const run = this.run(event, code);
    // Lambda bills each run's duration × the function's memory (the bench's cost rows).
    const billed = () => countLambdaRun(this.memoryMb, performance.now() - started);
    run.then(billed, billed);
    return invokerValue(await run, options.responseLimitBytes);
  }

  private run(event: unknown, code: FunctionCode): Promise<string> {
    const child = this.options.isolateInvocations ? this.isolatedProcess(code) : this.ensureStarted(code);
    this.load.set(child, (this.load.get(child) ?? 0) + 1);
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new FunctionError('Sandbox.Timedout', `Task timed out after ${this.options.timeoutMs / 1000} seconds`));
        // Lambda discards a timed-out sandbox; so do we.
        this.discard(child);
        this.unwatchMemoryWhenIdle();
      }, this.options.timeoutMs);
      this.pending.set(requestId, { child, resolve, reject, timer });
      this.watchMemory();
      const message: InvokeMessage = { requestId, event, timeoutMs: this.options.timeoutMs };
      child.send(message);
    });
  }

  public async close(): Promise<void> {
    this.closed = true;
    const children = [...this.children];
    this.child = undefined;
    this.failAll(new FunctionError('Runtime.Shutdown', 'the local Lambda runtime is shutting down'));
    await Promise.all(
      children
        .filter((child) => child.exitCode === null && child.signalCode === null)
        .map(
          (child) =>
            new Promise<void>((resolve) => {
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
    );
  }

  /**
   * An idle process (none in flight on it) first; a new one only when all are busy and the cap allows; else the
   * least busy one. Idle is what `load` says, not a list of its own kept beside it.
   */
  private isolatedProcess(code: FunctionCode): ChildProcess {
    let leastBusy: ChildProcess | undefined;
    for (const [child, count] of this.load) if (!leastBusy || count < (this.load.get(leastBusy) ?? 0)) leastBusy = child;
    if (leastBusy && this.load.get(leastBusy) === 0) return leastBusy;
    if (this.children.size < (this.options.maxProcesses ?? defaultMaxProcesses)) return this.start(code);
    return leastBusy ?? this.start(code);
  }

  /** One invocation on `child` is over; with none left on it, it is idle for the next. */
  private release(child: ChildProcess): void {
    if (!this.children.has(child)) return;
    this.load.set(child, (this.load.get(child) ?? 1) - 1);
  }

  private ensureStarted(code: FunctionCode): ChildProcess {
    this.child ??= this.start(code);
    return this.child;
  }

  private start(code: FunctionCode): ChildProcess {
    // The function writes its stdout/stderr to the log file itself: its logs never pass through this process's event loop.
    const log = openSync(this.options.logFile, 'a');
    const { memoryMb } = this;
    let child: ChildProcess;
    try {
      child = fork(code.host, [code.handler, this.options.name], {
        // V8's heap sized from the function's memory as Lambda's bootstrap sizes it. Source maps come from the
        // function's configured NODE_OPTIONS in its environment (api/function-environment.ts), as on Lambda.
        execArgv: lambdaNodeFlags(memoryMb),
        // Lambda sets the function's memory in its environment too (the context's memoryLimitInMB reads it).
        env: { ...this.options.environment, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb) },
        stdio: ['ignore', log, log, 'ipc'],
        serialization: 'advanced',
      });
    } finally {
      closeSync(log);
    }
    child.on('message', (message: HostMessage) => this.settle(message));
    // A send() on a channel that closed (the process died meanwhile) emits 'error'; unhandled, it would end the stack.
    child.on('error', (error) => {
      // A kill that fails emits 'error' too: a process already discarded is not discarded (killed) again.
      if (!this.children.has(child)) return;
      this.discard(child);
      this.failAll(new FunctionError('Runtime.ExitError', `function process failed: ${error.message}`), child);
    });
    child.on('exit', (code, signal) => {
      this.forget(child);
      this.failAll(new FunctionError('Runtime.ExitError', `function process exited (code ${code}, signal ${signal})`), child);
    });
    this.children.add(child);
    return child;
  }

  /** No invocation goes to this process again. */
  private forget(child: ChildProcess): void {
    if (this.child === child) this.child = undefined;
    this.children.delete(child);
    this.load.delete(child);
    this.probes.get(child)?.close();
    this.probes.delete(child);
  }

  private discard(child: ChildProcess): void {
    this.forget(child);
    child.kill('SIGKILL');
  }

  private settle(message: HostMessage): void {
    const pending = this.pending.get(message.requestId);
    if (!pending) return;
    // Past its memory at any point of the run (the peak counts), its environment would have been killed before it answered.
    if (this.outOfMemory(pending.child)) return;
    this.pending.delete(message.requestId);
    this.unwatchMemoryWhenIdle();
    clearTimeout(pending.timer);
    // Its process is free for the next invocation once none is left on it.
    this.release(pending.child);
    if (message.ok) pending.resolve(message.payload);
    else pending.reject(new FunctionError(message.errorType, message.errorMessage, message.trace));
  }

  /** Fails the invocations in flight on one process, or on all when none is named; `error` may be one per request id. */
  private failAll(error: Error | ((requestId: string) => Error), child?: ChildProcess): void {
    for (const [requestId, pending] of this.pending) {
      if (child && pending.child !== child) continue;
      clearTimeout(pending.timer);
      pending.reject(typeof error === 'function' ? error(requestId) : error);
      this.pending.delete(requestId);
    }
    this.unwatchMemoryWhenIdle();
  }

  /** Samples memory while any invocation is in flight (no timer otherwise); not where /proc cannot tell. */
  private watchMemory(): void {
    if (this.memoryTimer || !memoryIsWatched) return;
    this.memoryTimer = setInterval(() => {
      // A failed sample must never end the stack: it is skipped, and the next one tries again.
      try {
        for (const child of new Set([...this.pending.values()].map((pending) => pending.child))) this.outOfMemory(child);
      } catch (error) {
        console.error('[lambda]', this.options.name, 'memory sample failed', error);
      }
    }, this.options.memorySampleIntervalMs ?? memorySampleIntervalMs);
    this.memoryTimer.unref();
  }

  private unwatchMemoryWhenIdle(): void {
    if (this.pending.size > 0 || !this.memoryTimer) return;
    clearInterval(this.memoryTimer);
    this.memoryTimer = undefined;
  }

  /**
   * Whether `child` has had more memory resident than the function's; if so it is killed, as Lambda kills the
   * environment, and its invocations in flight fail as Lambda answers them (memory-limit.ts).
   */
  private outOfMemory(child: ChildProcess): boolean {
    const { memoryMb } = this;
    // A process already forgotten (killed) gets no probe, which would never be closed.
    if (!this.children.has(child)) return false;
    let probe = this.probes.get(child);
    if (!probe) this.probes.set(child, (probe = new MemoryProbe(child.pid)));
    const peak = probe.peakBytes();
    if (peak === undefined || peak <= memoryLimitBytes(memoryMb)) return false;
    this.discard(child);
    // Lambda's REPORT line, for the log a user reads: one per invocation the kill ended.
    const ended = [...this.pending].filter(([, pending]) => pending.child === child).map(([requestId]) => requestId);
    try {
      appendFileSync(this.options.logFile, ended.map((requestId) => `${outOfMemoryReport(requestId, memoryMb, peak)}\n`).join(''));
    } catch {
      // The log is for people; the invocations still fail.
    }
    this.failAll((requestId) => new FunctionError('Runtime.OutOfMemory', outOfMemoryMessage(requestId)), child);
    return true;
  }
}
