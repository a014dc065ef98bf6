/**
 * What one GraphQL operation shares while it runs, over HTTP or realtime,
 * like graphql-js's ExecutionContext: the parsed document, the caller, and
 * the one way a field is authorised and resolved. execute.ts and
 * subscribe.ts are siblings over it, so a query, a mutation and a
 * subscription's start check auth, coerce arguments, count resolvers and
 * shape errors the same way by construction.
 */
import {
  defaultFieldResolver,
  GraphQLError,
  type DocumentNode,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import type { FieldWiring } from '../../../api/manifest.ts';
import type { ResolveFieldResult, ResolverRuntime } from '../resolvers/index.ts';
import { iamPolicyAllows, type Caller } from './auth.ts';
import type { FragmentMap } from './collect-fields.ts';
import { fragmentsOf, parseOperation } from './documents.ts';
import {
  internalFailure,
  unauthorizedFieldErrorType,
  unauthorizedFieldMessage,
  type AppSyncErrorExtensions,
  type GraphQLResponseError,
} from './errors.ts';
import { documentLimitError, LimitErrors } from './limits.ts';
import type { GraphQLRequestBody } from './request-body.ts';
import type { ServedSchema } from './schema.ts';
import { selectionSetInfo, type SelectionSetInfo } from './selection-set.ts';

/** Everything one operation needs from its request. */
export interface OperationArgs {
  readonly served: ServedSchema;
  readonly runtime: ResolverRuntime;
  readonly caller: Caller;
  readonly body: GraphQLRequestBody;
  readonly request: { readonly headers: Record<string, string>; readonly domainName: string | null };
  /** Told about runtime exceptions, which clients only see as InternalFailure. */
  readonly onInternalError?: (error: unknown, coordinate: string) => void;
}

/** An `extensions.invalidateSubscriptions` call of a mutation that succeeded. */
export interface SubscriptionInvalidation {
  readonly subscriptionField: string;
  readonly payload: Record<string, unknown>;
}

export interface ExecutionContext {
  readonly args: OperationArgs;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly fragments: FragmentMap;
  readonly rootType: GraphQLObjectType;
  /** Errors beyond the first for one field (util.appendError), reported alongside the response's. */
  readonly appendedErrors: GraphQLError[];
  /** Invalidations requested by resolvers that ended without error. */
  readonly invalidations: SubscriptionInvalidation[];
  /** Set by resolvers with util.http.addResponseHeader. */
  readonly responseHeaders: Record<string, string>;
  /**
   * Resolves a field the manifest wires (or a root field it does not: null,
   * as on AppSync) through the APPSYNC_JS runtime: field auth, the resolver
   * count limit, the runtime call and its errors. Failures throw GraphQLErrors
   * that graphql-js locates; the result carries subscription filters too.
   */
  resolveWired(wiring: FieldWiring | undefined, source: unknown, fieldArgs: Record<string, unknown>, info: GraphQLResolveInfo): Promise<ResolveFieldResult | null>;
  /** Default resolution with field auth, for fields without a resolver. */
  readonly resolveDefault: GraphQLFieldResolver<unknown, unknown>;
}

/** A GraphQLError carrying AppSync's errorType/data/errorInfo. */
export const appSyncError = (message: string, extensions: AppSyncErrorExtensions) =>
  new GraphQLError(message, { extensions: { appsync: extensions } });

export const unauthorizedFieldError = (fieldName: string, typeName: string) =>
  appSyncError(unauthorizedFieldMessage(fieldName, typeName), { errorType: unauthorizedFieldErrorType, data: null, errorInfo: null });

/** AppSync's field auth: the caller's mode may read the field, and an IAM signer's policy allows its root field. */
function assertFieldAllowed(served: ServedSchema, caller: Caller, info: GraphQLResolveInfo): void {
  if (!served.allows(caller.mode, info.parentType.name, info.fieldName) || !iamPolicyAllows(caller, info.parentType.name, info.fieldName, info.path.prev === undefined)) {
    throw unauthorizedFieldError(info.fieldName, info.parentType.name);
  }
}

/** Default resolution with AppSync's field auth: a field the caller may not read resolves to null with an Unauthorized error. */
export const authorizingFieldResolver =
  (served: ServedSchema, caller: Caller): GraphQLFieldResolver<unknown, unknown> =>
  (source, args, context, info) => {
    assertFieldAllowed(served, caller, info);
    return defaultFieldResolver(source, args, context, info);
  };

/** Selection set info by field node: documents are cached (documents.ts), so their nodes are too. */
const selectionSetInfos = new WeakMap<FieldNode, SelectionSetInfo>();

function cachedSelectionSetInfo(field: FieldNode, fragments: FragmentMap): SelectionSetInfo {
  let info = selectionSetInfos.get(field);
  if (!info) selectionSetInfos.set(field, (info = selectionSetInfo(field, fragments)));
  return info;
}

/**
 * The fragments and limit check of a parsed operation, worked out once: parsed documents are cached
 * per served schema (documents.ts), whose limits do not change, so a repeated query walks its
 * selections once rather than on every request.
 */
const checkedOperations = new WeakMap<OperationDefinitionNode, { readonly fragments: FragmentMap; readonly refused?: GraphQLResponseError }>();

function checkedOperation(operation: OperationDefinitionNode, document: DocumentNode, limits: ServedSchema['limits']) {
  let checked = checkedOperations.get(operation);
  if (!checked) {
    const fragments = fragmentsOf(document);
    checked = { fragments, refused: documentLimitError(operation, fragments, limits) };
    checkedOperations.set(operation, checked);
  }
  return checked;
}

/** The field errors a runtime result carries, as GraphQLErrors. */
const runtimeErrors = (errors: ResolveFieldResult['errors']) =>
  errors.map((error) => appSyncError(error.message, { errorType: error.errorType ?? null, data: error.data ?? null, errorInfo: error.errorInfo ?? null }));

/**
 * Parses, validates and checks the document limits, then builds the context
 * the operation runs over; returns the errors instead when the document is refused.
 */
export function buildExecutionContext(args: OperationArgs): ExecutionContext | { readonly errors: readonly GraphQLResponseError[] } {
  const { served, runtime, caller, body } = args;
  const parsed = parseOperation(served, body.query, body.operationName);
  if (!parsed.ok) return { errors: parsed.errors };
  const { document, operation } = parsed;
  const { fragments, refused } = checkedOperation(operation, document, served.limits);
  if (refused) return { errors: [refused] };
  const rootType = served.schema.getRootType(operation.operation);
  if (!rootType) return { errors: [{ path: null, locations: [], message: `Schema is not configured for ${operation.operation}s.` }] };

  const appendedErrors: GraphQLError[] = [];
  const invalidations: SubscriptionInvalidation[] = [];
  const responseHeaders: Record<string, string> = {};
  const { resolverCountLimit } = served.limits;
  // Counted before each resolver runs: past the limit, fields error without reaching a data source.
  let resolverInvocations = 0;

  const resolveWired: ExecutionContext['resolveWired'] = async (wiring, source, fieldArgs, info) => {
    assertFieldAllowed(served, caller, info);
    if (!wiring) return null; // AppSync: a field without a resolver is null
    resolverInvocations += 1;
    if (resolverCountLimit !== undefined && resolverInvocations > resolverCountLimit) {
      const { message, errorType } = LimitErrors.resolverCount;
      throw appSyncError(message, { errorType, data: null, errorInfo: null });
    }
    const [fieldNode] = info.fieldNodes;
    let result: ResolveFieldResult;
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
    return result;
  };

  return {
    args,
    document,
    operation,
    fragments,
    rootType,
    appendedErrors,
    invalidations,
    responseHeaders,
    resolveWired,
    resolveDefault: authorizingFieldResolver(served, caller),
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
