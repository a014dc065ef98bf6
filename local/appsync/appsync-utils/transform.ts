/**
 * util.transform: filter objects ({ field: { op: value }, and, or, not }) to
 * DynamoDB filter/condition expressions, OpenSearch query DSL, and
 * subscription filters, in the shapes AppSync's docs show.
 */
import type { Util } from '@aws-appsync/utils';
import { toDynamoDB, type AttributeValueJson } from './dynamodb.ts';

type FilterObject = Record<string, unknown>;

const attributeTypeCodes: Record<string, string> = {
  string: 'S', stringSet: 'SS', number: 'N', numberSet: 'NS', binary: 'B', binarySet: 'BS',
  boolean: 'BOOL', list: 'L', map: 'M', _null: 'NULL',
};

const comparisonOperators: Record<string, string> = { eq: '=', ne: '<>', le: '<=', lt: '<', ge: '>=', gt: '>' };

interface ExpressionParts {
  readonly expressionNames: Record<string, string>;
  readonly expressionValues: Record<string, AttributeValueJson>;
}

function placeholderName(field: string): string {
  return `#${field.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A value placeholder, suffixed when the same field/operator appears twice (e.g. in two or-branches). */
function addValue(parts: ExpressionParts, base: string, value: unknown): string {
  let placeholder = `:${base.replace(/[^A-Za-z0-9_]/g, '_')}`;
  for (let n = 1; placeholder in parts.expressionValues; n++) placeholder = `:${base}_${n}`;
  parts.expressionValues[placeholder] = toDynamoDB(value) ?? { NULL: null };
  return placeholder;
}

function fieldCondition(parts: ExpressionParts, field: string, operator: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const name = placeholderName(field);
  parts.expressionNames[name] = field;
  const base = `${field}_${operator}`;
  const comparison = comparisonOperators[operator];
  if (comparison) return `(${name} ${comparison} ${addValue(parts, base, value)})`;
  switch (operator) {
    case 'contains':
      return `(contains(${name},${addValue(parts, base, value)}))`;
    case 'notContains':
      return `(NOT contains(${name},${addValue(parts, base, value)}))`;
    case 'beginsWith':
      return `(begins_with(${name},${addValue(parts, base, value)}))`;
    case 'between': {
      const [low, high] = value as [unknown, unknown];
      return `(${name} BETWEEN ${addValue(parts, `${base}_0`, low)} AND ${addValue(parts, `${base}_1`, high)})`;
    }
    case 'in': {
      const list = (value as unknown[]).map((element, index) => addValue(parts, `${base}_${index}`, element));
      return `(${name} IN (${list.join(',')}))`;
    }
    case 'attributeExists':
      return value ? `(attribute_exists(${name}))` : `(attribute_not_exists(${name}))`;
    case 'attributeType': {
      const code = attributeTypeCodes[String(value)] ?? String(value);
      return `(attribute_type(${name},${addValue(parts, base, code)}))`;
    }
    default:
      throw new Error(`Unsupported filter operator: ${operator}`);
  }
}

function asList(value: unknown): FilterObject[] {
  return (Array.isArray(value) ? value : [value]).filter((entry) => entry !== null && entry !== undefined);
}

function buildExpression(parts: ExpressionParts, filter: FilterObject): string | null {
  const conditions: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === null || value === undefined) continue;
    if (key === 'and' || key === 'or') {
      const nested = asList(value)
        .map((entry) => buildExpression(parts, entry))
        .filter((entry): entry is string => entry !== null);
      if (nested.length > 0) conditions.push(`(${nested.join(key === 'and' ? ' AND ' : ' OR ')})`);
    } else if (key === 'not') {
      const nested = buildExpression(parts, value as FilterObject);
      if (nested) conditions.push(`(NOT ${nested})`);
    } else {
      for (const [operator, operand] of Object.entries(value as Record<string, unknown>)) {
        const condition = fieldCondition(parts, key, operator, operand);
        if (condition) conditions.push(condition);
      }
    }
  }
  if (conditions.length === 0) return null;
  return conditions.length === 1 ? conditions[0] : `(${conditions.join(' AND ')})`;
}

export function toDynamoDBExpressionObject(filter: FilterObject) {
  const parts: ExpressionParts = { expressionNames: {}, expressionValues: {} };
  const expression = buildExpression(parts, filter);
  if (expression === null) return null;
  return { expression, ...parts };
}

export interface SubscriptionFilterEntry {
  readonly fieldName: string;
  readonly operator: string;
  readonly value: unknown;
}

type FilterGroup = SubscriptionFilterEntry[];

/** Disjunctive normal form of a subscription filter object: a list of AND-groups, ORed. */
function subscriptionGroups(filter: FilterObject, ignored: ReadonlySet<string>): FilterGroup[] {
  let groups: FilterGroup[] = [[]];
  const crossWith = (alternatives: FilterGroup[]) => {
    groups = groups.flatMap((group) => alternatives.map((alternative) => [...group, ...alternative]));
  };
  for (const [key, value] of Object.entries(filter)) {
    if (value === null || value === undefined || ignored.has(key)) continue;
    if (key === 'and') {
      for (const entry of asList(value)) crossWith(subscriptionGroups(entry, ignored));
    } else if (key === 'or') {
      crossWith(asList(value).flatMap((entry) => subscriptionGroups(entry, ignored)));
    } else {
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, operand]) => operand !== undefined)
        .map(([operator, operand]) => ({ fieldName: key, operator, value: operand }));
      crossWith([entries]);
    }
  }
  return groups;
}

export function toSubscriptionFilter(
  filter: FilterObject,
  ignoredFields: readonly string[] = [],
  rules?: FilterObject,
): { filterGroup: { filters: SubscriptionFilterEntry[] }[] } {
  let groups = subscriptionGroups(filter, new Set(ignoredFields));
  if (rules) {
    // At least one rule must hold: every group is paired with each rule in turn.
    const ruleEntries = subscriptionGroups(rules, new Set()).flat();
    if (ruleEntries.length > 0) groups = groups.flatMap((group) => ruleEntries.map((rule) => [...group, rule]));
  }
  return { filterGroup: groups.filter((group) => group.length > 0).map((filters) => ({ filters })) };
}

function openSearchField(field: string, operator: string, value: unknown): unknown {
  switch (operator) {
    case 'eq': return { term: { [field]: value } };
    case 'ne': return { bool: { must_not: { term: { [field]: value } } } };
    case 'gt': return { range: { [field]: { gt: value } } };
    case 'gte': return { range: { [field]: { gte: value } } };
    case 'lt': return { range: { [field]: { lt: value } } };
    case 'lte': return { range: { [field]: { lte: value } } };
    case 'range': {
      const [low, high] = value as [unknown, unknown];
      return { range: { [field]: { gte: low, lte: high } } };
    }
    case 'exists': return value ? { exists: { field } } : { bool: { must_not: { exists: { field } } } };
    case 'match': return { match: { [field]: value } };
    case 'matchPhrase': return { match_phrase: { [field]: value } };
    case 'matchPhrasePrefix': return { match_phrase_prefix: { [field]: value } };
    case 'multiMatch': return { multi_match: value };
    case 'wildcard': return { wildcard: { [field]: value } };
    case 'regexp': return { regexp: { [field]: value } };
    default: throw new Error(`Unsupported OpenSearch operator: ${operator}`);
  }
}

function openSearchQuery(filter: FilterObject): unknown {
  const must: unknown[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and') must.push({ bool: { must: asList(value).map(openSearchQuery) } });
    else if (key === 'or') must.push({ bool: { should: asList(value).map(openSearchQuery) } });
    else if (key === 'not') must.push({ bool: { must_not: openSearchQuery(value as FilterObject) } });
    else {
      const clauses = Object.entries(value as Record<string, unknown>).map(([op, operand]) => openSearchField(key, op, operand));
      must.push(clauses.length === 1 ? clauses[0] : { bool: { must: clauses } });
    }
  }
  return must.length === 1 ? must[0] : { bool: { must } };
}

export const transform = {
  toDynamoDBFilterExpression: (filter: FilterObject) => JSON.stringify(toDynamoDBExpressionObject(filter)),
  toDynamoDBConditionExpression: (condition: FilterObject) => JSON.stringify(toDynamoDBExpressionObject(condition)),
  toElasticsearchQueryDSL: (query: FilterObject) => JSON.stringify(openSearchQuery(query)),
  toSubscriptionFilter,
} as unknown as Util['transform'];
