/**
 * The APPSYNC_JS sandbox: each resolver bundle runs in its own bare `node:vm`
 * context. That context has the ECMAScript built-ins and nothing of Node (no
 * process, require, Buffer, timers, fetch), of the built-ins' methods only those
 * the APPSYNC_JS runtime offers (../appsync-utils/lockdown.ts), no eval or new Function, a
 * console that logs to this process's output (CloudWatch Logs on AWS), and the runtime (`util` as a global, `@aws-appsync/utils`,
 * `@aws-appsync/utils/dynamodb`) evaluated inside it by
 * ../appsync-utils/sandbox-entry.ts.
 *
 * The contexts live on one thread of their own (sandbox-thread.ts,
 * sandbox-worker.mjs), called synchronously; `callThen` runs two handlers of
 * a pipeline in one round trip (evaluate.ts). Every evaluation (module load,
 * each request/response call) runs under a time limit: a runaway loop fails
 * that call (its thread is ended and the next call starts a fresh one), and
 * the server goes on. Values cross the boundary as JSON strings only, both ways.
 */
import { build, buildSync, type BuildOptions, type BuildResult } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { DispatchInput, DispatchResult } from '../appsync-utils/sandbox-entry.ts';
import { EvaluationTimeoutError, ResolverCodeError, SandboxTimeout } from '../errors.ts';
import { sandboxThread, type CallAnswer, type ChainAnswer, type LoadAnswer, type SandboxThread } from './sandbox-thread.ts';

const runtimeEntry = fileURLToPath(new URL('../appsync-utils/sandbox-entry.ts', import.meta.url));

/** Time one evaluation may take before it fails: far above what any resolver needs, far below a client's patience. */
export const defaultEvaluationTimeoutMs = 1000;

let runtimeText: string | undefined;

/** esbuild's options for the runtime's bundle, one definition for bundleRuntime and buildRuntime. */
const runtimeBuildOptions = {
  entryPoints: [runtimeEntry],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'silent',
  metafile: true,
} satisfies BuildOptions;

const runtimeOf = (result: BuildResult<typeof runtimeBuildOptions>) => ({ text: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) });

/** The runtime bundled into the script every sandbox runs first, and the files it was made from (their paths from the working directory). */
export function bundleRuntime(): { readonly text: string; readonly inputs: readonly string[] } {
  return runtimeOf(buildSync(runtimeBuildOptions));
}

/** bundleRuntime through esbuild's async API (api/bundle.ts's buildResolverWithInputs says why). */
export async function buildRuntime(): Promise<{ readonly text: string; readonly inputs: readonly string[] }> {
  return runtimeOf(await build(runtimeBuildOptions));
}

/** Takes the runtime bundleRuntime made before (kept between starts: bundle-cache.ts) instead of bundling it here. */
export function useRuntimeSource(text: string): void {
  runtimeText ??= text;
}

/** The runtime, bundled once per process (unless useRuntimeSource gave it). */
function runtimeSource(): string {
  runtimeText ??= bundleRuntime().text;
  return runtimeText;
}

export interface SandboxedCode {
  /** Runs one handler with `input` (ctx and invocation state); throws EvaluationTimeoutError past the limit. */
  call(input: DispatchInput): DispatchResult;
  /**
   * Runs `input`, then, only when it returns a value, `then.input` on `then.code` with that value as
   * ctx.prev.result and this call's ctx.stash and state (whatever `then.input` holds there is replaced):
   * both in one round trip to the sandbox thread. Answers the results of the calls that ran, in order.
   */
  callThen(input: DispatchInput, then: { readonly code: SandboxedCode; readonly input: DispatchInput }): readonly [DispatchResult, DispatchResult?];
}

/** Prints what resolver code logged during one evaluation, as its own lines of this process's output. */
function printLogs(code: string, answer: LoadAnswer | CallAnswer): void {
  for (const [level, text] of answer.logs) (level === 'error' || level === 'warn' ? console.error : console.log)(`[appsync ${code}] ${text}`);
}

/** What the host knows of a loaded file: its sandbox id, and how to have it loaded on the live thread. */
interface Loaded {
  readonly code: string;
  readonly id: number;
  readonly timeoutMs: number;
  readonly loadedThread: () => SandboxThread;
}

const loadedOf = new WeakMap<SandboxedCode, Loaded>();

let nextSandboxId = 1;

/** Runs a chain of calls (the first complete, the rest templates) in one round trip; see sandbox-worker.mjs. */
function runChain(calls: readonly { readonly loaded: Loaded; readonly input: DispatchInput }[]): DispatchResult[] {
  // Every file on the live thread: a thread that exited between two loads was replaced, so look again.
  let thread = calls.map(({ loaded }) => loaded.loadedThread()).at(-1) as SandboxThread;
  if (calls.some(({ loaded }) => !thread.loaded.has(loaded.id))) thread = calls.map(({ loaded }) => loaded.loadedThread()).at(-1) as SandboxThread;
  let chain: ChainAnswer;
  try {
    chain = thread.request(
      { op: 'call', calls: calls.map(({ loaded, input }) => ({ id: loaded.id, input: JSON.stringify(input) })) },
      calls[0].loaded.timeoutMs,
    );
  } catch (error) {
    if (error instanceof SandboxTimeout) {
      const { loaded, input } = calls[error.callIndex] ?? calls[0];
      throw new EvaluationTimeoutError(`${loaded.code} ${input.handler}() ran longer than ${loaded.timeoutMs} ms`);
    }
    throw error;
  }
  return chain.calls.map((answer, index) => {
    const { loaded, input } = calls[index];
    printLogs(loaded.code, answer);
    if (!answer.ok) throw new Error(`${loaded.code} ${input.handler}(): ${answer.message}`);
    return JSON.parse(answer.answer) as DispatchResult;
  });
}

/**
 * Evaluates one bundle in a fresh sandbox and returns its handlers. `factorySource` is the bundle as a
 * script (module-script.ts's moduleFactorySource; code-loader.ts takes it from prepared-code.ts).
 * `code` names the file in errors; `timeoutMs` bounds each evaluation.
 */
export function loadSandboxed(code: string, factorySource: string, timeoutMs = defaultEvaluationTimeoutMs): SandboxedCode {
  const load = { op: 'load', id: nextSandboxId++, name: code, source: factorySource } as const;

  /** Loads the bundle on the live thread (again, after a runaway call ended the last one). */
  const loadedThread = () => {
    const thread = sandboxThread(runtimeSource);
    if (thread.loaded.has(load.id)) return thread;
    let answer: LoadAnswer;
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
  const loaded: Loaded = { code, id: load.id, timeoutMs, loadedThread };

  const sandboxed: SandboxedCode = {
    call: (input) => runChain([{ loaded, input }])[0],
    callThen(input, then) {
      const next = loadedOf.get(then.code);
      if (!next) throw new Error(`${code}: callThen needs code loaded by loadSandboxed`);
      const [first, second] = runChain([
        { loaded, input },
        { loaded: next, input: then.input },
      ]);
      return [first, second];
    },
  };
  loadedOf.set(sandboxed, loaded);
  return sandboxed;
}
