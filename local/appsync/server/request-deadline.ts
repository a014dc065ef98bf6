/**
 * AppSync's whole-request deadline for queries and mutations (api/limits.ts,
 * 30 s): a field whose resolver has not answered by then resolves to null
 * with AppSync's ExecutionTimeout error, and a resolver that would start
 * later does not run, so the response goes out at the deadline. Work already
 * under way is left to finish and its answer dropped: on AWS the Lambda
 * AppSync invoked keeps running too. The sandbox's per-evaluation limit
 * (resolvers/evaluate.ts) is separate: it ends a runaway handler, this bounds
 * the request, data source calls included.
 */
import { appSyncRequestTimeoutSeconds } from '../../../api/limits.ts';
import type { ResolveFieldResult, ResolverRuntime } from '../resolvers/index.ts';

export const appSyncRequestTimeoutMs = appSyncRequestTimeoutSeconds * 1000;

/** What AppSync answers for a field the deadline cut off (observed as `{ errorType: "ExecutionTimeout", message: "Execution timed out." }`). */
const timedOut: ResolveFieldResult = Object.freeze({ data: null, errors: Object.freeze([Object.freeze({ errorType: 'ExecutionTimeout', message: 'Execution timed out.' })]) }) as ResolveFieldResult;

export interface RequestDeadline {
  /** `runtime` with every resolver call bounded by this request's deadline. */
  readonly runtime: ResolverRuntime;
  /** Stops the timer once the response is complete. */
  clear(): void;
}

/** Starts one request's deadline, `timeoutMs` from now. */
export function requestDeadline(runtime: ResolverRuntime, timeoutMs: number): RequestDeadline {
  let passed = false;
  let expire!: (result: ResolveFieldResult) => void;
  const expired = new Promise<ResolveFieldResult>((resolve) => (expire = resolve));
  const timer = setTimeout(() => {
    passed = true;
    expire(timedOut);
  }, timeoutMs);
  // A request still waiting keeps its socket, so the timer need not keep the process up.
  timer.unref();
  return {
    runtime: {
      resolveField: (args) => (passed ? Promise.resolve(timedOut) : Promise.race([runtime.resolveField(args), expired])),
    },
    clear: () => clearTimeout(timer),
  };
}
