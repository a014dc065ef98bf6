/**
 * The local Lambda service: synchronous invokes (AppSync's Lambda data
 * source, the queues' event source mappings in ./queues.ts) and asynchronous
 * invokes (the Invoke API's Event type) with Lambda's retry policy — two
 * retries, or the function's declared `asyncInvoke.retryAttempts` (the
 * reconciler's 0), then a dead-letter record on disk, Lambda's on-failure record.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventSourceMappings, type LabelingQuotas } from '../../api/labeling-queue.ts';
import { lambdaFunctions, type LambdaFunctionName } from '../../api/manifest.ts';
import { repoRoot } from '../../api/bundle.ts';
import { environmentLimitRefusal } from '../../api/function-environment.ts';
import { bundleFunctions } from './function-bundle.ts';
import { FunctionProcess } from './function-process.ts';
import { FunctionConfigurationError, FunctionError } from './errors.ts';
import { maxSyncResponseBytes } from './response-payload.ts';

/** A function's environment, as Lambda would set it. */
export interface FunctionEnvironment {
  /** The variables it is configured with (api/function-environment.ts): CreateFunction refuses them past Lambda's limit. */
  readonly configured: Readonly<Record<string, string>>;
  /** What Lambda itself sets (region, the role's credentials) and, offline only, the local endpoints and test hooks: not measured. */
  readonly runtime: Readonly<Record<string, string>>;
}

export interface LambdaRuntimeOptions {
  readonly stateDir: string;
  /** Environment of each function; read once for every function as the runtime starts, which refuses one over Lambda's limit. */
  readonly environment: (name: LambdaFunctionName) => FunctionEnvironment;
  /** Delays before the async retries; Lambda waits about 1 and 2 minutes. */
  readonly retryDelaysMs?: readonly number[];
  /** Told about every async invocation that ran out of retries. */
  readonly onDeadLetter?: (record: DeadLetterRecord) => void;
  /** Told about every invocation that failed (npm start prints each with its log file). @default nobody */
  readonly onFunctionError?: (report: FunctionErrorReport) => void;
  /**
   * The quotas the stack's queue mappings derive their concurrency from (local/lambda/queues.ts is given the same):
   * a queue consumer keeps as many processes as its mappings run batches at once. @default defaultLabelingQuotas
   */
  readonly quotas?: LabelingQuotas;
}

/** One failed invocation: what failed, where its log is, and whether Lambda will try again. */
export interface FunctionErrorReport {
  readonly functionName: LambdaFunctionName;
  readonly errorType: string;
  readonly errorMessage: string;
  /** The function's log file, which holds the error with its stack. */
  readonly logFile: string;
  /** 1 for the first attempt; async invocations are retried twice. */
  readonly attempt: number;
  /** Whether an async retry follows; false for synchronous invokes and the last attempt. */
  readonly willRetry: boolean;
}

/** The shape of Lambda's on-failure destination record. */
export interface DeadLetterRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: { readonly statusCode: 200; readonly executedVersion: '$LATEST'; readonly functionError: 'Unhandled' };
  readonly responsePayload: { readonly errorType: string; readonly errorMessage: string };
}

export interface LambdaRuntime {
  /** RequestResponse invoke: the handler's result, or a FunctionError. */
  invoke(name: LambdaFunctionName, event: unknown): Promise<unknown>;
  /** Event invoke: returns at once; retried, then dead-lettered. Resolves when the event is finished with. */
  invokeAsync(name: LambdaFunctionName, event: unknown): Promise<void>;
  close(): Promise<void>;
}

const defaultRetryDelaysMs = [1_000, 2_000];

/**
 * How many processes queue consumer `name` keeps: the batches its mappings run at once under `quotas` (0 for a
 * function no mapping invokes), so that none of them shares a process with another.
 */
export function consumerProcessCap(name: LambdaFunctionName, quotas?: LabelingQuotas): number {
  return eventSourceMappings(quotas)
    .filter((mapping) => mapping.function === name)
    .reduce((sum, mapping) => sum + mapping.maximumConcurrency, 0);
}

/**
 * Each function's environment, refused as CreateFunction refuses it: a stack with a function whose configured
 * variables are past Lambda's limit does not start, as its deploy would fail (FunctionConfigurationError, Lambda's
 * InvalidParameterValueException and message).
 */
function createdEnvironments(environment: LambdaRuntimeOptions['environment']): ReadonlyMap<LambdaFunctionName, Readonly<Record<string, string>>> {
  const created = new Map<LambdaFunctionName, Readonly<Record<string, string>>>();
  for (const name of Object.keys(lambdaFunctions) as LambdaFunctionName[]) {
    const { configured, runtime } = environment(name);
    const refusal = environmentLimitRefusal(configured);
    if (refusal) throw new FunctionConfigurationError(name, refusal.message);
    created.set(name, { ...runtime, ...configured });
  }
  return created;
}

/**
 * The waits before each async retry of `name`: Lambda's two, or as many as the function declares
 * (`asyncInvoke.retryAttempts` in api/manifest.ts, the reconciler's 0), as its EventInvokeConfig gives on AWS.
 */
export function asyncRetryDelaysMs(name: LambdaFunctionName, delaysMs: readonly number[] = defaultRetryDelaysMs): readonly number[] {
  const spec = lambdaFunctions[name];
  return 'asyncInvoke' in spec ? delaysMs.slice(0, spec.asyncInvoke.retryAttempts) : delaysMs;
}

export function startLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  // Before anything is built or written: a function Lambda would not create refuses the start.
  const environments = createdEnvironments(options.environment);
  // createdEnvironments holds every function of the manifest; a name it lacks is a bug, not an empty environment.
  const environmentOf = (name: LambdaFunctionName): Readonly<Record<string, string>> => {
    const environment = environments.get(name);
    if (!environment) throw new Error(`no environment was created for the function ${name}`);
    return environment;
  };
  const logDir = path.join(options.stateDir, 'logs');
  const deadLetterDir = path.join(options.stateDir, 'dead-letters');
  // Every function's code is built at once while the rest of the stack starts, as a deploy builds it (function-bundle.ts).
  const bundles = bundleFunctions({
    entries: Object.fromEntries(Object.entries(lambdaFunctions).map(([name, spec]) => [name, path.join(repoRoot, spec.entry)])),
    outDir: path.join(options.stateDir, 'functions'),
    nativeModules: [...new Set(Object.values(lambdaFunctions).flatMap((spec) => ('nativeModules' in spec ? spec.nativeModules : [])))],
  });
  // A build that fails fails each invocation (function-process.ts); it is no unhandled rejection.
  bundles.catch(() => undefined);
  mkdirSync(logDir, { recursive: true });
  mkdirSync(deadLetterDir, { recursive: true });
  const retryDelaysMs = options.retryDelaysMs ?? defaultRetryDelaysMs;
  const processes = new Map<LambdaFunctionName, FunctionProcess>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  const logFileOf = (name: LambdaFunctionName) => path.join(logDir, `${name}.log`);

  /** Reports a failed attempt; what the runtime itself ended (timeout, crash, memory) goes to the log too, as Lambda writes it there. */
  const reportError = (name: LambdaFunctionName, error: unknown, attempt: number, willRetry: boolean) => {
    const err = error instanceof FunctionError ? error : new FunctionError('Unhandled', String(error));
    if (err.errorType.startsWith('Sandbox.') || err.errorType === 'Runtime.ExitError' || err.errorType === 'Runtime.OutOfMemory') {
      appendFileSync(logFileOf(name), `${new Date().toISOString()}\t${err.errorType}\t${err.message}\n`);
    }
    options.onFunctionError?.({ functionName: name, errorType: err.errorType, errorMessage: err.message, logFile: logFileOf(name), attempt, willRetry });
  };

  const processFor = (name: LambdaFunctionName): FunctionProcess => {
    let existing = processes.get(name);
    if (!existing) {
      const spec = lambdaFunctions[name];
      const mappingConcurrency = consumerProcessCap(name, options.quotas);
      existing = new FunctionProcess({
        name,
        code: async () => {
          const { host, handlers } = await bundles;
          return { host, handler: handlers[name] };
        },
        environment: environmentOf(name),
        timeoutMs: spec.timeoutSeconds * 1000,
        memoryMb: spec.memoryMb,
        logFile: logFileOf(name),
        // A queue consumer runs each invocation in a process of its own, so a timeout ends only its own batch, as on
        // AWS (function-process.ts): as many processes as its mappings run batches at once, so no batch of theirs ever
        // shares one (a timeout would end the other too); concurrent Invoke calls past that share the least busy.
        isolateInvocations: mappingConcurrency > 0,
        maxProcesses: mappingConcurrency,
      });
      processes.set(name, existing);
    }
    return existing;
  };

  const deadLetter = (name: LambdaFunctionName, event: unknown, attempts: number, error: unknown) => {
    const err = error instanceof FunctionError ? error : new FunctionError('Unhandled', String(error));
    const requestId = randomUUID();
    const record: DeadLetterRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: `arn:aws:lambda:local:000000000000:function:${name}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: err.errorType, errorMessage: err.message },
    };
    writeFileSync(path.join(deadLetterDir, `${record.timestamp.replace(/[:.]/g, '-')}-${requestId}.json`), JSON.stringify(record, null, 2));
    options.onDeadLetter?.(record);
  };

  const runWithRetries = async (name: LambdaFunctionName, event: unknown) => {
    const delaysMs = asyncRetryDelaysMs(name, retryDelaysMs);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await processFor(name).invoke(event);
        return;
      } catch (error) {
        // Shutting down is not the function's failure; the image stays PENDING for the next start.
        if (closed) return;
        const delay = delaysMs[attempt - 1];
        reportError(name, error, attempt, delay !== undefined);
        if (delay === undefined) {
          deadLetter(name, event, attempt, error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };

  function invokeAsync(name: LambdaFunctionName, event: unknown): Promise<void> {
    const run = runWithRetries(name, event).finally(() => inFlight.delete(run));
    inFlight.add(run);
    return run;
  }

  return {
    invoke: (name, event) =>
      processFor(name)
        .invoke(event, { responseLimitBytes: maxSyncResponseBytes })
        .catch((error: unknown) => {
          if (!closed) reportError(name, error, 1, false);
          throw error;
        }),
    invokeAsync,
    async close() {
      closed = true;
      await Promise.all([...processes.values()].map((process) => process.close()));
      await Promise.allSettled([...inFlight]);
    },
  };
}
