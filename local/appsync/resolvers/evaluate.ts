/**
 * Unit and pipeline resolver evaluation, following AppSync:
 * - unit: request → data source → response;
 * - pipeline: resolver request → for each function (request → data source →
 *   response, ctx.prev.result chaining) → resolver response;
 * - util.error anywhere ends the field with that error (plus appended ones);
 * - runtime.earlyReturn skips the data source and response of the current
 *   function (or, in a resolver request handler or with skipTo END, the rest
 *   of the pipeline);
 * - a data-source error is only ctx.error: the response handler decides.
 * Handlers run in the sandbox (sandbox.ts): ctx goes in as JSON, the value,
 * ctx.stash and the invocation state (appended errors, filters…) come back as JSON.
 */
import type { FieldWiring } from '../../../api/manifest.ts';
import type { DataSources, DataSourceError } from '../data-sources/index.ts';
import { EvaluationTimeoutError, InvalidRequestError } from '../errors.ts';
import { adoptInvocationState, type InvocationState, type RecordedError } from '../appsync-utils/invocation.ts';
import type { CodeLoader } from './code-loader.ts';
import { handlerContext, type ContextBase } from './context.ts';
import type { SandboxedCode } from './sandbox.ts';

type HandlerOutcome =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'earlyReturn'; readonly value: unknown; readonly skipTo?: 'END' | 'NEXT' };

/** Ends the field: thrown by a step, caught once by evaluateField. */
class FieldFailure {
  public constructor(public readonly error: RecordedError) {}
}

export interface FieldEvaluation {
  readonly base: ContextBase;
  readonly state: InvocationState;
  readonly fieldName: string;
  readonly parentTypeName: string;
}

/** AppSync-style field error of a handler that ran past the sandbox's time limit. */
const timeoutError: RecordedError = { errorType: 'ExecutionTimeout', message: 'Execution timed out.' };

function callHandler(
  evaluation: FieldEvaluation,
  code: SandboxedCode,
  handler: 'request' | 'response',
  step: { prevResult?: unknown; result?: unknown; error?: DataSourceError },
): HandlerOutcome {
  const { base } = evaluation;
  let answer;
  try {
    answer = code.call({ handler, context: { ...handlerContext(base, step) }, state: evaluation.state });
  } catch (error) {
    if (error instanceof EvaluationTimeoutError) {
      console.error(`[appsync] ${evaluation.parentTypeName}.${evaluation.fieldName}: ${error.message}`);
      throw new FieldFailure(timeoutError);
    }
    throw error;
  }
  // The stash object is shared along the pipeline: the next step sees this one's changes.
  for (const key of Object.keys(base.stash)) delete base.stash[key];
  Object.assign(base.stash, answer.stash);
  adoptInvocationState(evaluation.state, answer.state);
  const { outcome } = answer;
  switch (outcome.kind) {
    case 'value':
      return { kind: 'value', value: outcome.value };
    case 'earlyReturn':
      return { kind: 'earlyReturn', value: outcome.value, skipTo: outcome.skipTo };
    case 'error': {
      if (outcome.unauthorized) {
        throw new FieldFailure({
          errorType: 'Unauthorized',
          message: `Not Authorized to access ${evaluation.fieldName} on type ${evaluation.parentTypeName}`,
        });
      }
      const { message, errorType, data, errorInfo } = outcome;
      throw new FieldFailure({
        message,
        ...(errorType !== undefined ? { errorType } : {}),
        ...(data !== undefined ? { data } : {}),
        ...(errorInfo !== undefined ? { errorInfo } : {}),
      });
    }
    case 'crash':
      // Any other exception is a bug in the resolver code.
      throw new FieldFailure({ errorType: 'Code', message: outcome.message });
  }
}

async function invokeDataSource(
  dataSources: DataSources,
  name: Parameters<DataSources['invoke']>[0],
  request: unknown,
): Promise<{ result: unknown; error?: DataSourceError }> {
  try {
    return await dataSources.invoke(name, request);
  } catch (error) {
    if (error instanceof InvalidRequestError) throw new FieldFailure({ errorType: error.errorType, message: error.message });
    throw error;
  }
}

/** One function or unit resolver: request → data source → response. */
async function runStep(
  evaluation: FieldEvaluation,
  dataSources: DataSources,
  handlers: SandboxedCode,
  dataSource: Parameters<DataSources['invoke']>[0],
  prevResult: unknown,
): Promise<HandlerOutcome> {
  const request = callHandler(evaluation, handlers, 'request', { prevResult });
  if (request.kind === 'earlyReturn') return request;
  const outcome = await invokeDataSource(dataSources, dataSource, request.value);
  // Data sources hand back JSON of their own (DataSourceOutcome), so it is not copied again here.
  return callHandler(evaluation, handlers, 'response', {
    prevResult,
    result: outcome.result,
    ...(outcome.error ? { error: outcome.error } : {}),
  });
}

async function runPipeline(
  evaluation: FieldEvaluation,
  dataSources: DataSources,
  loader: CodeLoader,
  wiring: Extract<FieldWiring, { kind: 'PIPELINE' }>,
): Promise<unknown> {
  const resolver = loader.load(wiring.code);
  const steps = wiring.steps.map((step) => ({ step, handlers: loader.load(step.code) }));
  const before = callHandler(evaluation, resolver, 'request', {});
  let prevResult = before.value;
  if (before.kind === 'value') {
    for (const { step, handlers } of steps) {
      const outcome = await runStep(evaluation, dataSources, handlers, step.dataSource, prevResult);
      prevResult = outcome.value;
      if (outcome.kind === 'earlyReturn' && outcome.skipTo === 'END') break;
    }
  }
  return callHandler(evaluation, resolver, 'response', { prevResult }).value;
}

/** Evaluates one field's resolver; a FieldFailure becomes the field's error. */
export async function evaluateField(
  evaluation: FieldEvaluation,
  dataSources: DataSources,
  loader: CodeLoader,
  wiring: FieldWiring,
): Promise<{ data: unknown; error?: RecordedError }> {
  try {
    if (wiring.kind === 'PIPELINE') return { data: await runPipeline(evaluation, dataSources, loader, wiring) };
    const handlers = loader.load(wiring.code);
    return { data: (await runStep(evaluation, dataSources, handlers, wiring.dataSource, null)).value };
  } catch (thrown) {
    if (thrown instanceof FieldFailure) return { data: null, error: thrown.error };
    // Code that does not bundle or load (the stack checks all code at start, so only a file changed since):
    // AppSync would have refused to deploy it. The client learns nothing of files or rules.
    console.error(`[appsync] ${evaluation.parentTypeName}.${evaluation.fieldName}:`, thrown);
    return { data: null, error: { errorType: 'InternalFailure', message: 'An internal failure occurred while resolving this field.' } };
  }
}
