/**
 * Evaluates an enhanced subscription filter (extensions.setSubscriptionFilter)
 * against a published payload: filters in a group are ANDed, groups ORed.
 * Field names may use dot notation for nested fields.
 */

interface FilterEntry {
  readonly fieldName: string;
  readonly operator: string;
  readonly value: unknown;
}

function fieldValue(payload: Record<string, unknown>, fieldName: string): unknown {
  let current: unknown = payload;
  for (const segment of fieldName.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function equal(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Orders two numbers or two strings; anything else does not compare. */
function compare(left: unknown, right: unknown): number | null {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  return null;
}

function contains(field: unknown, value: unknown): boolean {
  if (Array.isArray(field)) return field.some((element) => equal(element, value));
  if (typeof field === 'string' && typeof value === 'string') return field.includes(value);
  return false;
}

function matchesEntry(entry: FilterEntry, payload: Record<string, unknown>): boolean {
  const field = fieldValue(payload, entry.fieldName);
  const { value } = entry;
  const order = compare(field, value);
  switch (entry.operator) {
    case 'eq': return equal(field, value);
    case 'ne': return !equal(field, value);
    case 'le': return order !== null && order <= 0;
    case 'lt': return order !== null && order < 0;
    case 'ge': return order !== null && order >= 0;
    case 'gt': return order !== null && order > 0;
    case 'contains': return contains(field, value);
    case 'notContains': return !contains(field, value);
    case 'beginsWith': return typeof field === 'string' && typeof value === 'string' && field.startsWith(value);
    case 'in': return Array.isArray(value) && value.some((candidate) => equal(field, candidate));
    case 'notIn': return Array.isArray(value) && !value.some((candidate) => equal(field, candidate));
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) return false;
      const low = compare(field, value[0]);
      const high = compare(field, value[1]);
      return low !== null && high !== null && low >= 0 && high <= 0;
    }
    case 'containsAny':
      return Array.isArray(field) && Array.isArray(value) && value.some((candidate) => contains(field, candidate));
    default:
      return false;
  }
}

export function matchesSubscriptionFilter(filter: unknown, payload: Record<string, unknown>): boolean {
  if (filter === null || filter === undefined) return true;
  const parsed = typeof filter === 'string' ? (JSON.parse(filter) as unknown) : filter;
  const groups = (parsed as { filterGroup?: { filters?: FilterEntry[] }[] }).filterGroup;
  if (!Array.isArray(groups) || groups.length === 0) return true;
  return groups.some((group) => (group.filters ?? []).every((entry) => matchesEntry(entry, payload)));
}
