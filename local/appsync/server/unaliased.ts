/**
 * A response value re-keyed by field names instead of aliases, restricted to
 * what the selection set asked for: what AppSync publishes from a mutation.
 * Subfields are collected as graphql-js does (collect-fields.ts), so the cost
 * follows the value and the document's text, not how often fragments spread.
 */
import type { FieldNode } from 'graphql';
import { collectFields, subSelections, type FragmentMap } from './collect-fields.ts';

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
