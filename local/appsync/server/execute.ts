/**
 * Runs one GraphQL operation as AppSync does: root fields resolve through the
 * APPSYNC_JS runtime with the manifest's wiring, nested fields by default
 * resolution unless the manifest wires them too, and every field is checked against the caller's auth mode.
 * Returns the AppSync-shaped response and the mutation results to publish.
 */
import {
  GraphQLError,
  defaultFieldResolver,
  execute,
  getOperationAST,
  isObjectType,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import type { FieldWiring } from '../../../api/manifest.ts';
import type { ResolverRuntime } from '../resolvers/index.ts';
import { iamPolicyAllows, type Caller } from './auth.ts';
import {
  fieldError,
  internalFailure,
  syntaxError,
  unauthorizedFieldErrorType,
  unauthorizedFieldMessage,
  validationError,
  variableError,
  type AppSyncErrorExtensions,
  type GraphQLResponseError,
} from './errors.ts';
import { collectFields, subSelections, type FragmentMap } from './collect-fields.ts';
import { documentCache, type DocumentCache } from './document-cache.ts';
import { documentLimitError, hidesSuggestions, LimitErrors, noIntrospection } from './limits.ts';
import type { ServedSchema } from './schema.ts';
import { selectionSetInfo, type SelectionSetInfo } from './selection-set.ts';
import { wiringOf } from './wiring.ts';

export interface GraphQLRequestBody {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly operationName: string | null;
}

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

/** An `extensions.invalidateSubscriptions` call of a mutation that succeeded. */
export interface SubscriptionInvalidation {
  readonly subscriptionField: string;
  readonly payload: Record<string, unknown>;
}

export interface ExecuteOutcome {
  readonly response: GraphQLResponse;
  readonly resolvedMutations: readonly ResolvedMutation[];
  readonly invalidations: readonly SubscriptionInvalidation[];
  /** Set by resolvers with util.http.addResponseHeader. */
  readonly responseHeaders: Readonly<Record<string, string>>;
}

export interface ExecuteArgs {
  readonly served: ServedSchema;
  readonly runtime: ResolverRuntime;
  readonly caller: Caller;
  readonly body: GraphQLRequestBody;
  readonly request: { readonly headers: Record<string, string>; readonly domainName: string | null };
  /** Told about runtime exceptions, which clients only see as InternalFailure. */
  readonly onInternalError?: (error: unknown, coordinate: string) => void;
}

/** Reads `{ query, variables, operationName }`; undefined when it is not a GraphQL request. */
export function graphQLRequestBody(value: unknown): GraphQLRequestBody | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { query, variables, operationName } = value as Record<string, unknown>;
  if (typeof query !== 'string' || query.trim() === '') return undefined;
  let vars: unknown = variables ?? {};
  if (typeof vars === 'string') {
    try {
      vars = vars.trim() === '' ? {} : JSON.parse(vars);
    } catch {
      return undefined;
    }
  }
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  return { query, variables: vars as Record<string, unknown>, operationName: operationName ?? null };
}

/** A GraphQLError carrying AppSync's errorType/data/errorInfo. */
export const appSyncError = (message: string, extensions: AppSyncErrorExtensions) =>
  new GraphQLError(message, { extensions: { appsync: extensions } });

export const unauthorizedFieldError = (fieldName: string, typeName: string) =>
  appSyncError(unauthorizedFieldMessage(fieldName, typeName), { errorType: unauthorizedFieldErrorType, data: null, errorInfo: null });

/**
 * Default resolution with AppSync's field auth: a field the caller's mode may
 * not read resolves to null with an Unauthorized error.
 */
export const authorizingFieldResolver =
  (served: ServedSchema, caller: Caller): GraphQLFieldResolver<unknown, unknown> =>
  (source, args, context, info) => {
    if (!served.allows(caller.mode, info.parentType.name, info.fieldName) || !iamPolicyAllows(caller, info.parentType.name, info.fieldName, info.path.prev === undefined)) {
      throw unauthorizedFieldError(info.fieldName, info.parentType.name);
    }
    return defaultFieldResolver(source, args, context, info);
  };

export type ParsedOperation =
  | { readonly ok: true; readonly document: DocumentNode; readonly operation: OperationDefinitionNode }
  | { readonly ok: false; readonly errors: readonly GraphQLResponseError[] };

/** Parsed and validated documents by schema, bounded in bytes (document-cache.ts). */
const parsedDocuments = new WeakMap<ServedSchema, DocumentCache<ParsedOperation>>();

/** The parsed-document cache of one served schema, created on first use. */
export function parsedDocumentCache(served: ServedSchema): DocumentCache<ParsedOperation> {
  let cache = parsedDocuments.get(served);
  if (!cache) parsedDocuments.set(served, (cache = documentCache()));
  return cache;
}

/** Parses and validates a document and picks its operation; remembers the outcome for the next identical request. */
export function parseOperation(served: ServedSchema, query: string, operationName: string | null): ParsedOperation {
  const cache = parsedDocumentCache(served);
  const key = `${operationName ?? ''}\u0000${query}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const parsed = parseAndValidate(served, query, operationName);
  cache.set(key, parsed);
  return parsed;
}

function parseAndValidate(served: ServedSchema, query: string, operationName: string | null): ParsedOperation {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    if (error instanceof GraphQLError) return { ok: false, errors: [syntaxError(error)] };
    throw error;
  }
  const rules = served.limits.introspection ? specifiedRules : [...specifiedRules, noIntrospection];
  const invalid = validate(served.schema, document, rules, { hideSuggestions: hidesSuggestions(served.limits) });
  if (invalid.length > 0) return { ok: false, errors: invalid.map(validationError) };
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    const message = operationName ? `Unknown operation named '${operationName}'.` : 'Must provide operation name if query contains multiple operations.';
    return { ok: false, errors: [{ path: null, locations: [], message }] };
  }
  return { ok: true, document, operation };
}

/** Selection set info by field node: documents are cached (parseOperation), so their nodes are too. */
const selectionSetInfos = new WeakMap<FieldNode, SelectionSetInfo>();

function cachedSelectionSetInfo(field: FieldNode, fragments: FragmentMap): SelectionSetInfo {
  let info = selectionSetInfos.get(field);
  if (!info) selectionSetInfos.set(field, (info = selectionSetInfo(field, fragments)));
  return info;
}

export const fragmentsOf = (document: DocumentNode): FragmentMap =>
  Object.fromEntries(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );

/**
 * A response value re-keyed by field names instead of aliases, restricted
 * to what the selection set asked for: what AppSync publishes from a mutation.
 * Subfields are collected as graphql-js does (collect-fields.ts), so the cost
 * follows the value and the document's text, not how often fragments spread.
 */
export function unaliased(value: unknown, field: FieldNode, fragments: FragmentMap): unknown {
  return unaliasedFields(value, [field], fragments);
}

function unaliasedFields(value: unknown, fieldNodes: readonly FieldNode[], fragments: FragmentMap): unknown {
  if (value === null || value === undefined) return null;
  if (fieldNodes.every((node) => !node.selectionSet)) return value;
  if (Array.isArray(value)) return value.map((item) => unaliasedFields(item, fieldNodes, fragments));
  if (typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, nodes] of collectFields(subSelections(fieldNodes), fragments)) {
    if (!(key in source)) continue;
    const projected = unaliasedFields(source[key], nodes, fragments);
    const name = nodes[0]!.name.value;
    const existing = out[name];
    // The same field selected under two aliases merges.
    out[name] =
      existing && typeof existing === 'object' && projected && typeof projected === 'object' && !Array.isArray(projected)
        ? { ...(existing as object), ...(projected as object) }
        : projected;
  }
  return out;
}

/** The field errors a runtime result carries, as GraphQLErrors. */
const runtimeErrors = (errors: readonly { message: string; errorType?: string; data?: unknown; errorInfo?: unknown }[]) =>
  errors.map((error) => appSyncError(error.message, { errorType: error.errorType ?? null, data: error.data ?? null, errorInfo: error.errorInfo ?? null }));

export async function executeOperation(args: ExecuteArgs): Promise<ExecuteOutcome> {
  const { served, runtime, caller, body } = args;
  const parsed = parseOperation(served, body.query, body.operationName);
  if (!parsed.ok) return { response: { data: null, errors: parsed.errors }, resolvedMutations: [], invalidations: [], responseHeaders: {} };
  const { document, operation } = parsed;
  const fragments = fragmentsOf(document);
  const rootType = served.schema.getRootType(operation.operation);
  // Errors beyond the first for one field (util.appendError), reported alongside.
  const appendedErrors: GraphQLError[] = [];
  const fallback = authorizingFieldResolver(served, caller);
  const invalidations: SubscriptionInvalidation[] = [];
  const responseHeaders: Record<string, string> = {};

  const { resolverCountLimit } = served.limits;
  const refused = documentLimitError(operation, fragments, served.limits);
  if (refused) return { response: { data: null, errors: [refused] }, resolvedMutations: [], invalidations: [], responseHeaders: {} };
  // Counted before each resolver runs: past the limit, fields error without reaching a data source.
  let resolverInvocations = 0;

  // Fields the manifest wires run their resolver (async); every other field resolves by default, synchronously,
  // so graphql-js completes plain nested data without a promise per field.
  const resolveWired = async (wiring: FieldWiring | undefined, source: unknown, fieldArgs: Record<string, unknown>, info: GraphQLResolveInfo) => {
    if (!served.allows(caller.mode, info.parentType.name, info.fieldName) || !iamPolicyAllows(caller, info.parentType.name, info.fieldName, info.path.prev === undefined)) {
      throw unauthorizedFieldError(info.fieldName, info.parentType.name);
    }
    if (!wiring) return null; // AppSync: a field without a resolver is null
    resolverInvocations += 1;
    if (resolverCountLimit !== undefined && resolverInvocations > resolverCountLimit) {
      const { message, errorType } = LimitErrors.resolverCount;
      throw appSyncError(message, { errorType, data: null, errorInfo: null });
    }
    const [fieldNode] = info.fieldNodes;
    let result: Awaited<ReturnType<ResolverRuntime['resolveField']>>;
    try {
      result = await runtime.resolveField({
        wiring,
        arguments: fieldArgs,
        source: source ?? null,
        identity: caller.identity as Record<string, unknown> | null,
        info: {
          fieldName: info.fieldName,
          parentTypeName: info.parentType.name,
          variables: body.variables,
          ...(fieldNode ? cachedSelectionSetInfo(fieldNode, fragments) : { selectionSetList: [], selectionSetGraphQL: '' }),
        },
        request: args.request,
      });
    } catch (error) {
      args.onInternalError?.(error, `${info.parentType.name}.${info.fieldName}`);
      throw appSyncError(internalFailure.message, { errorType: internalFailure.errorType, data: null, errorInfo: null });
    }
    for (const [name, value] of Object.entries(result.responseHeaders ?? {})) responseHeaders[name] = String(value);
    const errors = runtimeErrors(result.errors);
    // The runtime lists util.appendError's errors first, util.error's (which nulls the field) last.
    const thrown = result.data === null || result.data === undefined ? errors.at(-1) : undefined;
    for (const error of errors) if (error !== thrown) appendedErrors.push(withPath(error, info.path, fieldNode));
    if (thrown) throw thrown;
    if (errors.length === 0) invalidations.push(...(result.invalidations ?? []).flatMap(asInvalidation));
    return result.data;
  };
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, fieldArgs, context, info) => {
    const wiring = wiringOf(info.parentType.name, info.fieldName);
    // Nested fields resolve by default unless the manifest gives them a resolver (e.g. Image.url).
    if (info.parentType !== rootType && !wiring) return fallback(source, fieldArgs, context, info);
    return resolveWired(wiring, source, fieldArgs, info);
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
  if (!('data' in result) || result.data === undefined) {
    return { response: { data: null, errors: (result.errors ?? []).map(variableError) }, resolvedMutations: [], invalidations: [], responseHeaders };
  }
  const allErrors = [...(result.errors ?? []), ...appendedErrors];
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
    invalidations: operation.operation === 'mutation' ? invalidations : [],
    responseHeaders,
  };
}

const asInvalidation = (value: unknown): SubscriptionInvalidation[] => {
  if (typeof value !== 'object' || value === null) return [];
  const { subscriptionField, payload } = value as Record<string, unknown>;
  if (typeof subscriptionField !== 'string') return [];
  return [{ subscriptionField, payload: typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {} }];
};

function withPath(error: GraphQLError, path: { prev: unknown; key: string | number } | undefined, node: FieldNode | undefined): GraphQLError {
  const keys: (string | number)[] = [];
  for (let at = path as { prev: unknown; key: string | number } | undefined; at; at = at.prev as typeof at) keys.unshift(at.key);
  return new GraphQLError(error.message, { nodes: node, path: keys, extensions: error.extensions });
}
