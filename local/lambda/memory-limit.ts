/**
 * A function process's memory against its configured memory, as Lambda
 * holds an execution environment to it. V8's heap flags (node-flags.ts) bound
 * only the JS heap; Lambda bounds the whole environment (Buffers, sharp's
 * libvips, wasm, threads' stacks too) and kills it past its memory.
 *
 * What AWS does then (no Lambda guide page documents the Invoke answer; this is
 * what Lambda's own code and its users show):
 * - Lambda's runtime daemon (RAPID, in aws/aws-lambda-runtime-interface-emulator,
 *   internal/lambda-managed-instances/rapid/shutdown.go and rapid/model) reports a runtime process the
 *   kernel OOM-killed as `Runtime.OutOfMemory`, any other death as `Runtime.ExitError`, both with
 *   "runtime exited with error: <signal>", and ends the environment: the next invocation starts a fresh one.
 * - Users see `{"errorType":"Runtime.OutOfMemory" | "Runtime.ExitError", "errorMessage":
 *   "RequestId: <id> Error: Runtime exited with error: signal: killed"}` with `X-Amz-Function-Error:
 *   Unhandled` (e.g. awslabs/amazon-s3-find-and-forget#283; nasa-gcn/gcn.nasa.gov#3628 names
 *   `Runtime.OutOfMemory`), and a REPORT line `Memory Size: 512 MB  Max Memory Used: 512 MB  Status: error
 *   Error Type: Runtime.OutOfMemory`. Lambda's MB are MiB (the telemetry API's `instanceMaxMemory` is
 *   134217728 for 128 MB).
 * - It is a function error like any other: an async invocation is retried, an SQS batch comes back.
 *
 * Offline the resident set stands for the environment's memory: the process's peak RSS (VmHWM in
 * /proc/<pid>/status, so a spike freed before a sample still counts, as the cgroup's limit would have
 * stopped it). Only Linux has /proc; elsewhere MemoryProbe answers undefined and nothing is checked.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** How often a process with an invocation in flight is sampled (see MemoryProbe for what a sample costs). */
export const memorySampleIntervalMs = 100;

/** Whether this platform tells a process's resident memory (Linux's /proc); checked once. */
export const memoryIsWatched: boolean = (() => {
  try {
    return /^VmHWM:/m.test(readFileSync('/proc/self/status', 'latin1'));
  } catch {
    return false;
  }
})();

/** A function's configured memory in bytes: Lambda's MB are MiB. */
export const memoryLimitBytes = (memoryMb: number): number => memoryMb * 1024 * 1024;

/** /proc/<pid>/status is ~1.5 KiB; VmHWM is in its first half. */
const statusBytes = 4096;

/**
 * Reads one process's peak resident memory. Its status file stays open and is read again from its start (procfs
 * writes it anew at each read from offset 0): in a stack otherwise idle, a sample every 100 ms cost ~60 µs of CPU
 * more than the timer alone, where opening the file each time cost ~250 µs. The open file is the process's own, so a
 * pid reused after it ended is never read; call close() once the process is forgotten.
 */
export class MemoryProbe {
  /** The open status file; null once it could not be opened or read (no /proc, the process gone). */
  private fd: number | null | undefined;
  private readonly buffer = Buffer.alloc(statusBytes);

  public constructor(private readonly pid: number | undefined) {}

  /**
   * The most memory the process has had resident since it started, in bytes; undefined where that cannot be read:
   * never an error, so a failed read never ends the stack.
   */
  public peakBytes(): number | undefined {
    if (!memoryIsWatched || this.pid === undefined) return undefined;
    try {
      if (this.fd === null) return undefined;
      this.fd ??= openSync(`/proc/${this.pid}/status`, 'r');
      const length = readSync(this.fd, this.buffer, 0, statusBytes, 0);
      const kib = /^VmHWM:\s*(\d+) kB$/m.exec(this.buffer.toString('latin1', 0, length))?.[1];
      return kib === undefined ? undefined : Number(kib) * 1024;
    } catch {
      this.close();
      this.fd = null;
      return undefined;
    }
  }

  public close(): void {
    if (typeof this.fd === 'number') {
      try {
        closeSync(this.fd);
      } catch {
        // Nothing to do: it is not read again.
      }
    }
    this.fd = null;
  }
}

/** The error Lambda answers for an invocation whose environment it killed for its memory. */
export const outOfMemoryMessage = (requestId: string): string => `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`;

/**
 * The REPORT line Lambda writes to the function's log for it. Max Memory Used is the peak seen here, but never more
 * than the function's memory: an environment cannot hold more than it has, and Lambda's reports of such kills read
 * e.g. 512 of 512 MB.
 */
export const outOfMemoryReport = (requestId: string, memoryMb: number, peakBytes: number): string =>
  `REPORT RequestId: ${requestId}\tMemory Size: ${memoryMb} MB\tMax Memory Used: ${Math.min(memoryMb, Math.ceil(peakBytes / 1024 / 1024))} MB\tStatus: error\tError Type: Runtime.OutOfMemory`;
