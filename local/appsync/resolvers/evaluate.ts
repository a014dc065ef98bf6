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
 */
import type { FieldWiring } from '../../../api/manifest.ts';
import { InvalidRequestError, type DataSources, type DataSourceError } from '../data-sources/index.ts';
import { withInvocation, type InvocationState, type RecordedError } from '../runtime/invocation.ts';
import { isEarlyReturnSignal, isErrorSignal } from '../runtime/signals.ts';
import { loadHandlers, type ResolverHandlers } from './code-loader.ts';
import { asJson, handlerContext, type ContextBase } from './context.ts';

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

function callHandler(
  evaluation: FieldEvaluation,
  handler: (ctx: unknown) => unknown,
  step: { prevResult?: unknown; result?: unknown; error?: DataSourceError },
): HandlerOutcome {
  try {
    const value = withInvocation(evaluation.state, () => handler(handlerContext(evaluation.base, step)));
    return { kind: 'value', value: asJson(value) };
  } catch (thrown) {
    if (isEarlyReturnSignal(thrown)) return { kind: 'earlyReturn', value: asJson(thrown.value), skipTo: thrown.skipTo };
    if (isErrorSignal(thrown)) {
      const { message, errorType, data, errorInfo } = thrown;
      if (thrown.unauthorized) {
        throw new FieldFailure({
          errorType: 'Unauthorized',
          message: `Not Authorized to access ${evaluation.fieldName} on type ${evaluation.parentTypeName}`,
        });
      }
      throw new FieldFailure({
        message,
        ...(errorType !== undefined ? { errorType } : {}),
        ...(data !== undefined ? { data } : {}),
        ...(errorInfo !== undefined ? { errorInfo } : {}),
      });
    }
    // Any other exception is a bug in the resolver code.
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    throw new FieldFailure({ errorType: 'Code', message });
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
  handlers: ResolverHandlers,
  dataSource: Parameters<DataSources['invoke']>[0],
  prevResult: unknown,
): Promise<HandlerOutcome> {
  const request = callHandler(evaluation, handlers.request, { prevResult });
  if (request.kind === 'earlyReturn') return request;
  const outcome = await invokeDataSource(dataSources, dataSource, request.value);
  // Data sources hand back JSON of their own (DataSourceOutcome), so it is not copied again here.
  return callHandler(evaluation, handlers.response, {
    prevResult,
    result: outcome.result,
    ...(outcome.error ? { error: outcome.error } : {}),
  });
}

async function runPipeline(
  evaluation: FieldEvaluation,
  dataSources: DataSources,
  wiring: Extract<FieldWiring, { kind: 'PIPELINE' }>,
): Promise<unknown> {
  const resolver = await loadHandlers(wiring.code);
  const steps = await Promise.all(wiring.steps.map(async (step) => ({ step, handlers: await loadHandlers(step.code) })));
  const before = callHandler(evaluation, resolver.request, {});
  let prevResult = before.value;
  if (before.kind === 'value') {
    for (const { step, handlers } of steps) {
      const outcome = await runStep(evaluation, dataSources, handlers, step.dataSource, prevResult);
      prevResult = outcome.value;
      if (outcome.kind === 'earlyReturn' && outcome.skipTo === 'END') break;
    }
  }
  return callHandler(evaluation, resolver.response, { prevResult }).value;
}

/** Evaluates one field's resolver; a FieldFailure becomes the field's error. */
export async function evaluateField(
  evaluation: FieldEvaluation,
  dataSources: DataSources,
  wiring: FieldWiring,
): Promise<{ data: unknown; error?: RecordedError }> {
  try {
    if (wiring.kind === 'PIPELINE') return { data: await runPipeline(evaluation, dataSources, wiring) };
    const handlers = await loadHandlers(wiring.code);
    return { data: (await runStep(evaluation, dataSources, handlers, wiring.dataSource, null)).value };
  } catch (thrown) {
    if (thrown instanceof FieldFailure) return { data: null, error: thrown.error };
    // Code that does not bundle or load: AppSync would have refused to deploy it; here the field fails.
    console.error(`[appsync] ${evaluation.parentTypeName}.${evaluation.fieldName}:`, thrown);
    return { data: null, error: { errorType: 'InternalFailure', message: thrown instanceof Error ? thrown.message : String(thrown) } };
  }
}
