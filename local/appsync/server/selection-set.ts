/**
 * `ctx.info.selectionSetList` and `selectionSetGraphQL` as AppSync builds them:
 * the list names every selected field by its response key (alias if any),
 * nested ones as `parent/child`, fragments expanded; the GraphQL string is
 * the field's selection set printed as written (fragment spreads kept).
 */
import { Kind, print, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export interface SelectionSetInfo {
  readonly selectionSetList: readonly string[];
  readonly selectionSetGraphQL: string;
}

function collect(
  selectionSet: SelectionSetNode | undefined,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  prefix: string,
  into: Set<string>,
  visitedFragments: ReadonlySet<string>,
): void {
  for (const selection of selectionSet?.selections ?? []) {
    switch (selection.kind) {
      case Kind.FIELD: {
        if (selection.name.value.startsWith('__')) break; // meta fields are not data
        const key = `${prefix}${selection.alias?.value ?? selection.name.value}`;
        into.add(key);
        collect(selection.selectionSet, fragments, `${key}/`, into, visitedFragments);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        collect(selection.selectionSet, fragments, prefix, into, visitedFragments);
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (fragment && !visitedFragments.has(name)) {
          collect(fragment.selectionSet, fragments, prefix, into, new Set([...visitedFragments, name]));
        }
        break;
      }
    }
  }
}

/** AppSync's selection set info for one field occurrence. */
export function selectionSetInfo(field: FieldNode, fragments: Readonly<Record<string, FragmentDefinitionNode>>): SelectionSetInfo {
  const list = new Set<string>();
  collect(field.selectionSet, fragments, '', list, new Set());
  return { selectionSetList: [...list], selectionSetGraphQL: field.selectionSet ? print(field.selectionSet) : '' };
}
