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
 * stopped it). Only Linux has /proc; elsewhere `peakResidentBytes` answers undefined and nothing is checked.
 */
import { readFileSync } from 'node:fs';

/** How often a process with an invocation in flight is sampled: a sample is one read of a small /proc file (~20 µs). */
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

/**
 * The most memory process `pid` has had resident since it started, in bytes; undefined where that cannot be read
 * (no /proc, or the process is gone): never an error, so a failed read never ends the stack.
 */
export function peakResidentBytes(pid: number | undefined): number | undefined {
  if (!memoryIsWatched || pid === undefined) return undefined;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const kib = /^VmHWM:\s*(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}

/** The error Lambda answers for an invocation whose environment it killed for its memory. */
export const outOfMemoryMessage = (requestId: string): string => `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`;

/** The REPORT line Lambda writes to the function's log for it; Max Memory Used is the peak seen here. */
export const outOfMemoryReport = (requestId: string, memoryMb: number, peakBytes: number): string =>
  `REPORT RequestId: ${requestId}\tMemory Size: ${memoryMb} MB\tMax Memory Used: ${Math.ceil(peakBytes / 1024 / 1024)} MB\tStatus: error\tError Type: Runtime.OutOfMemory`;
