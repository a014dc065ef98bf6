/**
 * The APPSYNC_JS sandbox: each resolver bundle runs in its own bare `node:vm`
 * context. That context has the ECMAScript built-ins and nothing of Node (no
 * process, require, Buffer, timers, fetch), no eval or new Function, a
 * console that logs to this process's output (CloudWatch Logs on AWS), and the runtime (`util` as a global, `@aws-appsync/utils`,
 * `@aws-appsync/utils/dynamodb`) evaluated inside it by
 * ../appsync-utils/sandbox-entry.ts.
 *
 * The contexts live on one thread of their own (sandbox-thread.ts,
 * sandbox-worker.mjs), called synchronously. Every evaluation (module load,
 * each request/response call) runs under a time limit: a runaway loop fails
 * that call (its thread is ended and the next call starts a fresh one), and
 * the server goes on. Values cross the boundary as JSON strings only, both ways.
 */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { DispatchInput, DispatchResult } from '../appsync-utils/sandbox-entry.ts';
import { EvaluationTimeoutError, ResolverCodeError } from '../errors.ts';
import { moduleFactorySource } from './module-script.ts';
import { SandboxTimeout, sandboxThread, type SandboxAnswer, type SandboxRequest } from './sandbox-thread.ts';

const runtimeEntry = fileURLToPath(new URL('../appsync-utils/sandbox-entry.ts', import.meta.url));

/** Time one evaluation may take before it fails: far above what any resolver needs, far below a client's patience. */
export const defaultEvaluationTimeoutMs = 1000;

let runtimeText: string | undefined;

/** The runtime, bundled once per process into the script every sandbox runs first. */
function runtimeSource(): string {
  runtimeText ??= buildSync({
    entryPoints: [runtimeEntry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
  }).outputFiles[0].text;
  return runtimeText;
}

export interface SandboxedCode {
  /** Runs one handler with `input` (ctx and invocation state); throws EvaluationTimeoutError past the limit. */
  call(input: DispatchInput): DispatchResult;
}

/** Prints what resolver code logged during one evaluation, as its own lines of this process's output. */
function printLogs(code: string, answer: SandboxAnswer): void {
  for (const [level, text] of answer.logs) (level === 'error' || level === 'warn' ? console.error : console.log)(`[appsync ${code}] ${text}`);
}

let nextSandboxId = 1;

/**
 * Evaluates one bundle in a fresh sandbox and returns its handlers.
 * `code` names the file in errors; `timeoutMs` bounds each evaluation.
 */
export function loadSandboxed(code: string, bundleText: string, timeoutMs = defaultEvaluationTimeoutMs): SandboxedCode {
  const load: SandboxRequest = { op: 'load', id: nextSandboxId++, name: code, source: moduleFactorySource(code, bundleText) };

  /** Loads the bundle on the live thread (again, after a runaway call ended the last one). */
  const loadedThread = () => {
    const thread = sandboxThread(runtimeSource);
    if (thread.loaded.has(load.id)) return thread;
    let answer: SandboxAnswer;
    try {
      answer = thread.request(load, timeoutMs);
    } catch (error) {
      if (error instanceof SandboxTimeout) throw new ResolverCodeError(code, `did not finish loading within ${timeoutMs} ms`);
      throw error;
    }
    printLogs(code, answer);
    if (!answer.ok) throw new ResolverCodeError(code, `failed to load: ${answer.message}`);
    if (answer.problem) throw new ResolverCodeError(code, answer.problem);
    thread.loaded.add(load.id);
    return thread;
  };
  loadedThread();

  return {
    call(input) {
      const thread = loadedThread();
      let answer: SandboxAnswer;
      try {
        answer = thread.request({ op: 'call', id: load.id, input: JSON.stringify(input) }, timeoutMs);
      } catch (error) {
        if (error instanceof SandboxTimeout) throw new EvaluationTimeoutError(`${code} ${input.handler}() ran longer than ${timeoutMs} ms`);
        throw error;
      }
      printLogs(code, answer);
      if (!answer.ok) throw new Error(`${code} ${input.handler}(): ${answer.message}`);
      return JSON.parse(String(answer.answer)) as DispatchResult;
    },
  };
}
