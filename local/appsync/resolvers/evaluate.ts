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
import type { DispatchInput, DispatchResult } from '../appsync-utils/sandbox-entry.ts';

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

type Step = { prevResult?: unknown; result?: unknown; error?: DataSourceError };

/** A handler to run in the same sandbox round trip as the one before, when that one returns a value. */
interface ThenHandler {
  readonly code: SandboxedCode;
  readonly handler: 'request' | 'response';
}

const dispatchInput = (evaluation: FieldEvaluation, handler: 'request' | 'response', step: Step): DispatchInput => ({
  handler,
  context: { ...handlerContext(evaluation.base, step) },
  state: evaluation.state,
});

/**
 * Runs one handler in the sandbox and, with `then`, the next one in the same round trip when this one
 * returns a value: that one's ctx.prev.result is this one's value, and it sees this one's stash and state,
 * exactly as if the host had sent it after adopting this one's answer (see adopt).
 */
function dispatch(evaluation: FieldEvaluation, code: SandboxedCode, handler: 'request' | 'response', step: Step, then?: ThenHandler) {
  try {
    if (!then) return [code.call(dispatchInput(evaluation, handler, step))] as const;
    // The second context's prev.result, stash and state are filled in by the sandbox thread.
    return code.callThen(dispatchInput(evaluation, handler, step), { code: then.code, input: dispatchInput(evaluation, then.handler, {}) });
  } catch (error) {
    if (error instanceof EvaluationTimeoutError) {
      console.error(`[appsync] ${evaluation.parentTypeName}.${evaluation.fieldName}: ${error.message}`);
      throw new FieldFailure(timeoutError);
    }
    throw error;
  }
}

/** Takes one handler's answer: its stash and invocation state become the field's, its outcome a value or the field's end. */
function adopt(evaluation: FieldEvaluation, answer: DispatchResult): HandlerOutcome {
  const { base } = evaluation;
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

/**
 * One function or unit resolver: request → data source → response. `request` is the answer of its
 * request handler when it already ran (chained after the handler before); `then` runs after its
 * response handler in the same round trip, and its answer is handed back as `nextAnswer`.
 */
async function runStep(
  evaluation: FieldEvaluation,
  dataSources: DataSources,
  handlers: SandboxedCode,
  dataSource: Parameters<DataSources['invoke']>[0],
  prevResult: unknown,
  chained: { readonly request?: DispatchResult; readonly then?: ThenHandler } = {},
): Promise<{ outcome: HandlerOutcome; nextAnswer?: DispatchResult }> {
  const request = adopt(evaluation, chained.request ?? dispatch(evaluation, handlers, 'request', { prevResult })[0]);
  if (request.kind === 'earlyReturn') return { outcome: request };
  const outcome = await invokeDataSource(dataSources, dataSource, request.value);
  // Data sources hand back JSON of their own (DataSourceOutcome), so it is not copied again here.
  const [response, nextAnswer] = dispatch(
    evaluation,
    handlers,
    'response',
    { prevResult, result: outcome.result, ...(outcome.error ? { error: outcome.error } : {}) },
    chained.then,
  );
  return { outcome: adopt(evaluation, response), ...(nextAnswer ? { nextAnswer } : {}) };
}

/**
 * A pipeline, in one sandbox round trip per data source call plus one: each round trip ends one
 * stretch (a response handler) and, when it returns a value, starts the next (the next function's
 * request handler, or the resolver's response handler). When a handler returns early or fails, the
 * next handler was not run and is sent on its own, as AppSync's order says.
 */
async function runPipeline(
  evaluation: FieldEvaluation,
  dataSources: DataSources,
  loader: CodeLoader,
  wiring: Extract<FieldWiring, { kind: 'PIPELINE' }>,
): Promise<unknown> {
  const resolver = loader.load(wiring.code);
  const steps = wiring.steps.map((step) => ({ step, handlers: loader.load(step.code) }));
  const resolverResponse: ThenHandler = { code: resolver, handler: 'response' };
  const thenOf = (index: number): ThenHandler => (index < steps.length ? { code: steps[index].handlers, handler: 'request' } : resolverResponse);
  const [beforeAnswer, firstRequest] = dispatch(evaluation, resolver, 'request', {}, thenOf(0));
  const before = adopt(evaluation, beforeAnswer);
  let prevResult = before.value;
  // The answer of the handler that runs next, when it ran chained after the one before.
  let nextAnswer = before.kind === 'value' ? firstRequest : undefined;
  if (before.kind === 'value') {
    for (const [index, { step, handlers }] of steps.entries()) {
      const ran = await runStep(evaluation, dataSources, handlers, step.dataSource, prevResult, { request: nextAnswer, then: thenOf(index + 1) });
      prevResult = ran.outcome.value;
      nextAnswer = ran.outcome.kind === 'value' ? ran.nextAnswer : undefined;
      if (ran.outcome.kind === 'earlyReturn' && ran.outcome.skipTo === 'END') break;
    }
  }
  return adopt(evaluation, nextAnswer ?? dispatch(evaluation, resolver, 'response', { prevResult })[0]).value;
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
    return { data: (await runStep(evaluation, dataSources, handlers, wiring.dataSource, null)).outcome.value };
  } catch (thrown) {
    if (thrown instanceof FieldFailure) return { data: null, error: thrown.error };
    // Code that does not bundle or load (the stack checks all code at start, so only a file changed since):
    // AppSync would have refused to deploy it. The client learns nothing of files or rules.
    console.error(`[appsync] ${evaluation.parentTypeName}.${evaluation.fieldName}:`, thrown);
    return { data: null, error: { errorType: 'InternalFailure', message: 'An internal failure occurred while resolving this field.' } };
  }
}
