/**
 * AppSync's per-API execution limits (api/limits.ts ApiLimits): query depth,
 * resolver invocations per request, and introspection on or off.
 *
 * How AppSync reports them, as documented:
 * - introspection disabled: the request fails validation (HTTP 200,
 *   `data: null`), `__schema` and `__type` being undefined fields; `__typename` stays.
 * - query depth: "a limit error" for a query nested deeper than the limit
 *   ("nested levels allowed in the body of query"): checked on the document,
 *   before execution, so the request runs nothing and answers `data: null`.
 * - resolver count: resolvers past the limit are not invoked; each such
 *   field is an error of type `ResolverExecutionLimitReached`.
 * The depth error's exact `errorType`/message is not in AWS's public docs;
 * the one here follows the resolver-limit error's naming.
 */
import { GraphQLError, Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';

export interface GraphQLLimits {
  /** Deepest field nesting allowed (1 to 75); none when undefined. */
  readonly queryDepthLimit?: number;
  /** Resolver invocations allowed per request (1 to 10000); AppSync's default is 10000. */
  readonly resolverCountLimit?: number;
  /** Whether `__schema` and `__type` may be queried. */
  readonly introspection: boolean;
}

/** AppSync's defaults: introspection on, no depth limit, 10000 resolvers. */
export const appSyncDefaultLimits: GraphQLLimits = { introspection: true, resolverCountLimit: 10_000 };

export const LimitErrors = {
  resolverCount: { errorType: 'ResolverExecutionLimitReached', message: 'Resolver invocation limit reached.' },
  queryDepth: (limit: number) => ({ errorType: 'QueryDepthLimitReached', message: `Query depth limit of ${limit} reached.` }),
} as const;

const introspectionFields = new Set(['__schema', '__type']);

/**
 * With introspection disabled, `__schema` and `__type` are unknown fields, so
 * the document fails validation the way any unknown field does.
 */
export const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (!introspectionFields.has(node.name.value)) return;
    const parent = context.getParentType()?.name ?? 'Query';
    context.reportError(new GraphQLError(`Cannot query field "${node.name.value}" on type "${parent}".`, { nodes: node }));
  },
});

/**
 * The first field nested deeper than `limit` (root fields are depth 1;
 * fragments count where they are spread), or undefined. Depth is a property
 * of the document, so it is checked before anything runs, whatever the data.
 * Introspection subtrees are left out: they touch no data source, and prod
 * refuses them anyway.
 */
export function fieldPastDepth(
  selectionSet: SelectionSetNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  limit: number,
  depth = 1,
): FieldNode | undefined {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (introspectionFields.has(selection.name.value)) continue;
      if (depth > limit) return selection;
      const deeper = selection.selectionSet && fieldPastDepth(selection.selectionSet, fragments, limit, depth + 1);
      if (deeper) return deeper;
    } else {
      const nested = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments[selection.name.value]?.selectionSet;
      const deeper = nested && fieldPastDepth(nested, fragments, limit, depth);
      if (deeper) return deeper;
    }
  }
  return undefined;
}
