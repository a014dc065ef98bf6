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
 * - expanded size (offline only): AppSync documents no such limit. Aliases
 *   that spread a fragment of aliases, level under level, make a 2 KB document
 *   select 300,000 fields once fragments expand (k aliases a level, k^depth
 *   fields), and the server walks that expansion for `selectionSetList` before
 *   any resolver runs. Offline refuses a document past `maxExpandedSelections`
 *   before running it, in the depth limit's shape, so no single request can
 *   stall the process. No real client document comes near it.
 * - field suggestions: AppSync's validation (graphql-java) suggests no field
 *   names; graphql-js does ("Did you mean …?"). They stay in dev as a help, and
 *   go wherever introspection is off, since they would leak the schema it hides.
 */
import {
  getLocation,
  GraphQLError,
  Kind,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { collectFields, subSelections, type FragmentMap, type SelectionVisitor } from './collect-fields.ts';
import type { GraphQLResponseError } from './errors.ts';

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
  expandedSelections: (limit: number) => ({
    errorType: 'QueryComplexityLimitReached',
    message: `Query selects more than ${limit} fields once its fragments are expanded.`,
  }),
} as const;

/**
 * Selection nodes a document may make the server walk once its fragments are
 * expanded (see above). 250 root fields of 40 subfields each fit; fragments of
 * aliases that multiply level by level do not.
 */
export const maxExpandedSelections = 10_000;

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
 * How many levels of fields a selection set reaches (a leaf field is 1), each
 * selection set measured once: a fragment spread a thousand times, or spreading
 * another twice at every level, costs one measurement. Introspection fields
 * count 0 (see fieldPastDepth).
 */
function selectionHeights(fragments: FragmentMap, onVisit?: SelectionVisitor) {
  const heights = new Map<SelectionSetNode, number>();
  const heightOf = (selectionSet: SelectionSetNode): number => {
    const known = heights.get(selectionSet);
    if (known !== undefined) return known;
    heights.set(selectionSet, 0); // a fragment cycle (refused by validation anyway) ends here
    let height = 0;
    for (const selection of selectionSet.selections) {
      onVisit?.();
      const nested = nestedSelectionSet(selection, fragments);
      if (selection.kind === Kind.FIELD) {
        if (introspectionFields.has(selection.name.value)) continue;
        height = Math.max(height, 1 + (nested ? heightOf(nested) : 0));
      } else if (nested) {
        height = Math.max(height, heightOf(nested));
      }
    }
    heights.set(selectionSet, height);
    return height;
  };
  return heightOf;
}

const nestedSelectionSet = (selection: SelectionNode, fragments: FragmentMap): SelectionSetNode | undefined => {
  switch (selection.kind) {
    case Kind.FIELD:
    case Kind.INLINE_FRAGMENT:
      return selection.selectionSet;
    case Kind.FRAGMENT_SPREAD:
      return fragments[selection.name.value]?.selectionSet;
  }
};

/**
 * The first field nested deeper than `limit` (root fields are depth 1;
 * fragments count where they are spread), or undefined. Depth is a property
 * of the document, so it is checked before anything runs, whatever the data.
 * Introspection subtrees are left out: they touch no data source, and prod
 * refuses them anyway.
 *
 * Linear in the document: heights are measured once per selection set, and
 * the search only descends into a selection that is known to reach too deep.
 * `onVisit` counts the selection nodes walked.
 */
export function fieldPastDepth(
  selectionSet: SelectionSetNode,
  fragments: FragmentMap,
  limit: number,
  onVisit?: SelectionVisitor,
): FieldNode | undefined {
  const heightOf = selectionHeights(fragments, onVisit);
  // `depth` is the depth of the fields directly in `set`; called only when one of them, or a field below, is too deep.
  const find = (set: SelectionSetNode, depth: number): FieldNode | undefined => {
    for (const selection of set.selections) {
      onVisit?.();
      if (selection.kind === Kind.FIELD && introspectionFields.has(selection.name.value)) continue;
      if (selection.kind === Kind.FIELD && depth > limit) return selection;
      const nested = nestedSelectionSet(selection, fragments);
      if (!nested) continue;
      const nestedDepth = selection.kind === Kind.FIELD ? depth + 1 : depth;
      if (nestedDepth - 1 + heightOf(nested) > limit) return find(nested, nestedDepth);
    }
    return undefined;
  };
  return heightOf(selectionSet) > limit ? find(selectionSet, 1) : undefined;
}

/** The depth limit's refusal of a document, in AppSync's shape (see above), or undefined when it is within the limit. */
export function depthLimitError(
  operation: OperationDefinitionNode,
  fragments: FragmentMap,
  limits: GraphQLLimits,
  onVisit?: SelectionVisitor,
): GraphQLResponseError | undefined {
  const { queryDepthLimit } = limits;
  if (queryDepthLimit === undefined) return undefined;
  const tooDeep = fieldPastDepth(operation.selectionSet, fragments, queryDepthLimit, onVisit);
  if (!tooDeep) return undefined;
  const { message, errorType } = LimitErrors.queryDepth(queryDepthLimit);
  const location = tooDeep.loc ? getLocation(tooDeep.loc.source, tooDeep.loc.start) : undefined;
  return { path: null, data: null, errorType, errorInfo: null, locations: location ? [{ line: location.line, column: location.column, sourceName: null }] : [], message };
}

/** Validation errors carry no "Did you mean …?" where the schema is not to be shown (introspection off, as in prod). */
export const hidesSuggestions = (limits: GraphQLLimits): boolean => !limits.introspection;

/**
 * Whether walking the operation with every fragment expanded (as collectFields
 * and selectionSetInfo do: each fragment once per field, same keys merged)
 * visits more than `limit` selection nodes. Stops soon after the count passes
 * `limit`, so the check itself costs at most about `limit` plus one collection.
 */
export function expandsPast(operation: OperationDefinitionNode, fragments: FragmentMap, limit: number, onVisit?: SelectionVisitor): boolean {
  let visits = 0;
  const count = () => {
    visits += 1;
    onVisit?.();
  };
  const within = (fieldNodes: readonly FieldNode[]): boolean => {
    for (const nodes of collectFields(subSelections(fieldNodes), fragments, count).values()) {
      if (visits > limit || !within(nodes)) return false;
    }
    return visits <= limit;
  };
  const rootFields = collectFields([operation.selectionSet], fragments, count);
  for (const nodes of rootFields.values()) if (visits > limit || !within(nodes)) return true;
  return visits > limit;
}

/** The expanded-size refusal of a document, in the depth limit's shape, or undefined when it is within `limit`. */
export function expandedSizeError(
  operation: OperationDefinitionNode,
  fragments: FragmentMap,
  limit: number = maxExpandedSelections,
): GraphQLResponseError | undefined {
  if (!expandsPast(operation, fragments, limit)) return undefined;
  const { message, errorType } = LimitErrors.expandedSelections(limit);
  return { path: null, data: null, errorType, errorInfo: null, locations: [], message };
}

/** The refusals of a document before it runs (depth, then expanded size), shared by HTTP and realtime. */
export const documentLimitError = (operation: OperationDefinitionNode, fragments: FragmentMap, limits: GraphQLLimits): GraphQLResponseError | undefined =>
  depthLimitError(operation, fragments, limits) ?? expandedSizeError(operation, fragments);
