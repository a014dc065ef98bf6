/**
 * Runs a query or mutation as AppSync does: root fields resolve through the
 * APPSYNC_JS runtime with the manifest's wiring, nested fields by default
 * resolution unless the manifest wires them too, and every field is checked
 * against the caller's auth mode (execution-context.ts, shared with
 * subscribe.ts). Returns the AppSync-shaped response and the mutation
 * results to publish.
 */
import { execute, isObjectType, Kind, type ExecutionResult, type GraphQLFieldResolver } from 'graphql';
import { fieldError, variableError, type GraphQLResponseError } from './errors.ts';
import { buildExecutionContext, type OperationArgs, type SubscriptionInvalidation } from './execution-context.ts';
import { hidesSuggestions } from './limits.ts';
import { appSyncRequestTimeoutMs, requestDeadline } from './request-deadline.ts';
import { unaliased } from './unaliased.ts';
import { wiringOf } from './wiring.ts';

/** A mutation field that resolved without error, to fan out to its subscriptions. */
export interface ResolvedMutation {
  readonly fieldName: string;
  /** The field's value in the response, keyed by field names (aliases undone). */
  readonly payload: unknown;
}

export interface GraphQLResponse {
  readonly data: Record<string, unknown> | null;
  readonly errors?: readonly GraphQLResponseError[];
}

export interface ExecuteOutcome {
  readonly response: GraphQLResponse;
  readonly resolvedMutations: readonly ResolvedMutation[];
  readonly invalidations: readonly SubscriptionInvalidation[];
  /** Set by resolvers with util.http.addResponseHeader. */
  readonly responseHeaders: Readonly<Record<string, string>>;
}

export interface ExecuteArgs extends OperationArgs {
  /** The whole request's deadline (request-deadline.ts); tests shorten it. @default AppSync's 30 s */
  readonly requestTimeoutMs?: number;
}

const refusedOutcome = (errors: readonly GraphQLResponseError[], responseHeaders: Record<string, string> = {}): ExecuteOutcome => ({
  response: { data: null, errors },
  resolvedMutations: [],
  invalidations: [],
  responseHeaders,
});

export async function executeOperation(args: ExecuteArgs): Promise<ExecuteOutcome> {
  const deadline = requestDeadline(args.runtime, args.requestTimeoutMs ?? appSyncRequestTimeoutMs);
  try {
    return await executeWithin({ ...args, runtime: deadline.runtime });
  } finally {
    deadline.clear();
  }
}

async function executeWithin(args: OperationArgs): Promise<ExecuteOutcome> {
  const context = buildExecutionContext(args);
  if ('errors' in context) return refusedOutcome(context.errors);
  const { served, body } = args;
  const { document, operation, fragments, rootType } = context;

  // Fields the manifest wires run their resolver (async); every other field resolves by default, synchronously,
  // so graphql-js completes plain nested data without a promise per field.
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, fieldArgs, graphqlContext, info) => {
    const wiring = wiringOf(info.parentType.name, info.fieldName);
    // Nested fields resolve by default unless the manifest gives them a resolver (e.g. Image.url).
    if (info.parentType !== rootType && !wiring) return context.resolveDefault(source, fieldArgs, graphqlContext, info);
    return context.resolveWired(wiring, source, fieldArgs, info).then((result) => result?.data ?? null);
  };

  const result = (await execute({
    schema: served.schema,
    document,
    operationName: body.operationName,
    variableValues: body.variables,
    fieldResolver,
    rootValue: {},
    hideSuggestions: hidesSuggestions(served.limits),
  })) as ExecutionResult;

  // Variable coercion failures come back without data.
  if (!('data' in result) || result.data === undefined) return refusedOutcome((result.errors ?? []).map(variableError), context.responseHeaders);
  const allErrors = [...(result.errors ?? []), ...context.appendedErrors];
  const data = (result.data ?? null) as Record<string, unknown> | null;

  const resolvedMutations: ResolvedMutation[] = [];
  if (operation.operation === 'mutation' && data && isObjectType(rootType)) {
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      const key = selection.alias?.value ?? selection.name.value;
      const failed = allErrors.some((error) => error.path?.[0] === key);
      const value = data[key];
      if (failed || value === null || value === undefined) continue;
      resolvedMutations.push({ fieldName: selection.name.value, payload: unaliased(value, selection, fragments) });
    }
  }

  return {
    response: allErrors.length > 0 ? { data, errors: allErrors.map(fieldError) } : { data },
    resolvedMutations,
    invalidations: operation.operation === 'mutation' ? context.invalidations : [],
    responseHeaders: context.responseHeaders,
  };
}
