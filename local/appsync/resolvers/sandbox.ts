/**
 * The APPSYNC_JS sandbox: each resolver bundle runs in its own bare `node:vm`
 * context. That context has the ECMAScript built-ins and nothing of Node (no
 * process, require, Buffer, timers, fetch), no eval or new Function, a
 * console that logs to this process's output (CloudWatch Logs on AWS), and the runtime (`util` as a global, `@aws-appsync/utils`,
 * `@aws-appsync/utils/dynamodb`) evaluated inside it by
 * ../appsync-utils/sandbox-entry.ts.
 *
 * Every evaluation (module load, each request/response call) runs under a
 * time limit: a runaway loop fails that call, and the server goes on.
 * Values cross the boundary as JSON strings only, both ways.
 */
import { buildSync } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { DispatchInput, DispatchResult } from '../appsync-utils/sandbox-entry.ts';
import { EvaluationTimeoutError, ResolverCodeError } from '../errors.ts';
import { moduleFactorySource } from './module-script.ts';

const runtimeEntry = fileURLToPath(new URL('../appsync-utils/sandbox-entry.ts', import.meta.url));

/** The same symbols as sandbox-entry.ts (Symbol.for is shared between realms). */
const hostSlot = Symbol.for('labelcast.appsync.sandbox.host');
const controlExpression = 'globalThis[Symbol.for("labelcast.appsync.sandbox.control")]';

/** Time one evaluation may take before it fails: far above what any resolver needs, far below a client's patience. */
export const defaultEvaluationTimeoutMs = 1000;

let runtimeScript: vm.Script | undefined;

/** The runtime, bundled once per process into a script every sandbox runs. */
function compiledRuntime(): vm.Script {
  if (!runtimeScript) {
    const result = buildSync({
      entryPoints: [runtimeEntry],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'neutral',
      target: 'es2022',
      logLevel: 'silent',
    });
    runtimeScript = new vm.Script(result.outputFiles[0].text, { filename: 'appsync-js-runtime.js' });
  }
  return runtimeScript;
}

export interface SandboxedCode {
  /** Runs one handler with `input` (ctx and invocation state); throws EvaluationTimeoutError past the limit. */
  call(input: DispatchInput): DispatchResult;
}

function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/**
 * Evaluates one bundle in a fresh sandbox and returns its handlers.
 * `code` names the file in errors; `timeoutMs` bounds each evaluation.
 */
export function loadSandboxed(code: string, bundleText: string, timeoutMs = defaultEvaluationTimeoutMs): SandboxedCode {
  const context = vm.createContext(
    {},
    {
      name: code,
      codeGeneration: { strings: false, wasm: false },
      // Promise jobs run inside the time limit, not later on the host's queue.
      microtaskMode: 'afterEvaluate',
    },
  );
  // The bridge is read and deleted by the runtime before any resolver code runs.
  (context as Record<symbol, unknown>)[hostSlot] = {
    randomHex: (byteCount: number) => randomBytes(byteCount).toString('hex'),
    log: (level: string, text: string) => (level === 'error' || level === 'warn' ? console.error : console.log)(`[appsync ${code}] ${String(text)}`),
  };
  compiledRuntime().runInContext(context, { timeout: timeoutMs });
  const control = vm.runInContext(controlExpression, context) as {
    setInput(json: string): void;
  };

  let loadProblem: unknown;
  try {
    const loader = new vm.Script(`${controlExpression}.load(${moduleFactorySource(code, bundleText)})`, { filename: code });
    loadProblem = loader.runInContext(context, { timeout: timeoutMs });
  } catch (error) {
    if (error instanceof ResolverCodeError) throw error;
    if (isTimeout(error)) throw new ResolverCodeError(code, `did not finish loading within ${timeoutMs} ms`);
    throw new ResolverCodeError(code, `failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof loadProblem === 'string' && loadProblem !== '') throw new ResolverCodeError(code, loadProblem);

  const dispatch = new vm.Script(`${controlExpression}.dispatch()`, { filename: `${code} (dispatch)` });
  return {
    call(input) {
      control.setInput(JSON.stringify(input));
      let answer: unknown;
      try {
        answer = dispatch.runInContext(context, { timeout: timeoutMs });
      } catch (error) {
        if (isTimeout(error)) throw new EvaluationTimeoutError(`${code} ${input.handler}() ran longer than ${timeoutMs} ms`);
        throw error;
      }
      return JSON.parse(String(answer)) as DispatchResult;
    },
  };
}
