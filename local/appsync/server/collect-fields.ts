/**
 * Field collection as graphql-js does it (CollectFields, GraphQL spec §6.3.2):
 * the fields of one or more selection sets grouped by response key, inline
 * fragments and fragment spreads expanded, and each fragment expanded at most
 * once per collection.
 *
 * Why once: a fragment spread twice into one selection set adds nothing the
 * first spread did not (its fields merge with themselves). Walking every
 * spread instead costs 2^n for `fragment Fi { ...F(i+1) ...F(i+1) }`; this
 * costs the size of the document. Every walk of a document that expands
 * fragments (selectionSetList, mutation payloads) goes through here.
 *
 * Type conditions are not checked and @skip/@include are not applied: callers
 * want everything the document selects, as AppSync's selectionSetList does.
 */
import { Kind, type FieldNode, type FragmentDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';

export type FragmentMap = Readonly<Record<string, FragmentDefinitionNode>>;

/** Told about every selection node visited, so tests can count the work a walk does. */
export type SelectionVisitor = () => void;

/** Field nodes by response key (alias, else name), in the order the document first selects each key. */
export type CollectedFields = ReadonlyMap<string, readonly FieldNode[]>;

export function collectFields(
  selectionSets: readonly (SelectionSetNode | undefined)[],
  fragments: FragmentMap,
  onVisit?: SelectionVisitor,
): CollectedFields {
  const fields = new Map<string, FieldNode[]>();
  const expandedFragments = new Set<string>();
  // Frames of an explicit stack instead of recursion, so that a long chain of fragments cannot overflow
  // the call stack; each frame resumes where it left off, so fields keep the document's order.
  const frames: { readonly selections: readonly SelectionNode[]; next: number }[] = [];
  const enter = (selectionSet: SelectionSetNode | undefined) => {
    if (selectionSet) frames.push({ selections: selectionSet.selections, next: 0 });
  };
  for (let index = selectionSets.length - 1; index >= 0; index -= 1) enter(selectionSets[index]);
  while (frames.length > 0) {
    const frame = frames.at(-1)!;
    const selection = frame.selections[frame.next];
    if (!selection) {
      frames.pop();
      continue;
    }
    frame.next += 1;
    onVisit?.();
    switch (selection.kind) {
      case Kind.FIELD: {
        const key = selection.alias?.value ?? selection.name.value;
        const group = fields.get(key);
        if (group) group.push(selection);
        else fields.set(key, [selection]);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        enter(selection.selectionSet);
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || expandedFragments.has(name)) break;
        expandedFragments.add(name);
        enter(fragment.selectionSet);
        break;
      }
    }
  }
  return fields;
}

/** The selection sets of every node of one collected field, for collecting its subfields. */
export const subSelections = (nodes: readonly FieldNode[]): (SelectionSetNode | undefined)[] => nodes.map((node) => node.selectionSet);
