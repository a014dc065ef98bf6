/**
 * `ctx.info.selectionSetList` and `selectionSetGraphQL` as AppSync builds them:
 * the list names every selected field by its response key (alias if any),
 * nested ones as `parent/child`, fragments expanded; the GraphQL string is
 * the field's selection set printed as written (fragment spreads kept).
 *
 * Fields are collected as graphql-js collects them (collect-fields.ts): the
 * same response key selected twice, directly or through fragments, is listed
 * once with its subfields merged, and the walk costs what the document's text
 * does, however often its fragments spread each other.
 */
import { print, type FieldNode } from 'graphql';
import { collectFields, subSelections, type FragmentMap, type SelectionVisitor } from './collect-fields.ts';

export interface SelectionSetInfo {
  readonly selectionSetList: readonly string[];
  readonly selectionSetGraphQL: string;
}

function listFields(fieldNodes: readonly FieldNode[], fragments: FragmentMap, prefix: string, into: string[], onVisit?: SelectionVisitor): void {
  for (const [key, nodes] of collectFields(subSelections(fieldNodes), fragments, onVisit)) {
    if (nodes[0]!.name.value.startsWith('__')) continue; // meta fields are not data
    into.push(`${prefix}${key}`);
    listFields(nodes, fragments, `${prefix}${key}/`, into, onVisit);
  }
}

/** AppSync's selection set info for one field occurrence; `onVisit` counts the selection nodes walked. */
export function selectionSetInfo(field: FieldNode, fragments: FragmentMap, onVisit?: SelectionVisitor): SelectionSetInfo {
  const list: string[] = [];
  listFields([field], fragments, '', list, onVisit);
  return { selectionSetList: list, selectionSetGraphQL: field.selectionSet ? print(field.selectionSet) : '' };
}
