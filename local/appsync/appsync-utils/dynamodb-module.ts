/**
 * `@aws-appsync/utils/dynamodb`, the runtime's built-in DynamoDB module
 * (https://docs.aws.amazon.com/appsync/latest/devguide/built-in-modules-js.html):
 * helpers that turn plain keys, items, key conditions, filters and update
 * objects into the DynamoDB request objects of the resolver reference. The
 * npm package holds types only; resolver bundles keep the import, and the
 * sandbox links it here.
 */
import { toDynamoDB, toMapValues, type AttributeValueJson } from './dynamodb.ts';
import { toDynamoDBExpressionObject } from './transform.ts';

type Plain = Record<string, unknown>;

interface Expression {
  expression: string;
  expressionNames?: Record<string, string>;
  expressionValues?: Record<string, AttributeValueJson>;
}

/** Placeholders for one expression: `#name0`, `:value0`, … */
class Placeholders {
  public readonly names: Record<string, string> = {};
  public readonly values: Record<string, AttributeValueJson> = {};
  private nameCount = 0;
  private valueCount = 0;

  public name(attribute: string): string {
    const existing = Object.entries(this.names).find(([, value]) => value === attribute);
    if (existing) return existing[0];
    const placeholder = `#${this.nameCount}`;
    this.nameCount += 1;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  public path(segments: readonly string[]): string {
    return segments.map((segment) => this.name(segment)).join('.');
  }

  public value(value: unknown): string {
    const placeholder = `:${this.valueCount}`;
    this.valueCount += 1;
    this.values[placeholder] = toDynamoDB(value) ?? { NULL: null };
    return placeholder;
  }

  public expression(expression: string): Expression {
    return {
      expression,
      ...(Object.keys(this.names).length > 0 ? { expressionNames: { ...this.names } } : {}),
      ...(Object.keys(this.values).length > 0 ? { expressionValues: { ...this.values } } : {}),
    };
  }
}

/** A filter object ({ field: { op: value } }) as a condition/filter expression, or undefined when empty. */
function filterExpression(filter: Plain | null | undefined): Expression | undefined {
  if (!filter) return undefined;
  const built = toDynamoDBExpressionObject(filter);
  return built ?? undefined;
}

function projectionExpression(projection: readonly string[] | undefined): Expression | undefined {
  if (!projection || projection.length === 0) return undefined;
  const placeholders = new Placeholders();
  const expression = projection.map((path) => placeholders.path(path.split('.'))).join(', ');
  return { expression, expressionNames: { ...placeholders.names } };
}

const keyOperators: Record<string, string> = { eq: '=', le: '<=', lt: '<', ge: '>=', gt: '>' };

/** A key condition ({ pk: { eq }, sk: { beginsWith | between | le … } }) as a Query key expression. */
function keyConditionExpression(query: Plain): Expression {
  const placeholders = new Placeholders();
  const parts: string[] = [];
  for (const [field, condition] of Object.entries(query)) {
    for (const [operator, operand] of Object.entries((condition ?? {}) as Plain)) {
      if (operand === undefined) continue;
      const name = placeholders.name(field);
      if (keyOperators[operator]) parts.push(`${name} ${keyOperators[operator]} ${placeholders.value(operand)}`);
      else if (operator === 'beginsWith') parts.push(`begins_with(${name}, ${placeholders.value(operand)})`);
      else if (operator === 'between') {
        const [low, high] = operand as [unknown, unknown];
        parts.push(`${name} BETWEEN ${placeholders.value(low)} AND ${placeholders.value(high)}`);
      } else throw new Error(`Unsupported key condition operator: ${operator}`);
    }
  }
  return placeholders.expression(parts.join(' AND '));
}

/** operations.*: tagged values the update helper turns into SET/ADD/REMOVE clauses. */
type Operation =
  | { readonly _type: 'add' | 'replace'; readonly value: unknown }
  | { readonly _type: 'remove' }
  | { readonly _type: 'increment' | 'decrement'; readonly by: number }
  | { readonly _type: 'append' | 'prepend'; readonly items: unknown[] }
  | { readonly _type: 'updateListItem'; readonly value: unknown; readonly index: number };

const operationTypes = new Set(['add', 'replace', 'remove', 'increment', 'decrement', 'append', 'prepend', 'updateListItem']);

const isOperation = (value: unknown): value is Operation =>
  typeof value === 'object' && value !== null && operationTypes.has(String((value as { _type?: unknown })._type));

export const operations = {
  add: (value: unknown): Operation => ({ _type: 'add', value }),
  remove: (): Operation => ({ _type: 'remove' }),
  replace: (value: unknown): Operation => ({ _type: 'replace', value }),
  increment: (by = 1): Operation => ({ _type: 'increment', by }),
  decrement: (by = 1): Operation => ({ _type: 'decrement', by }),
  append: (items: unknown[]): Operation => ({ _type: 'append', items }),
  prepend: (items: unknown[]): Operation => ({ _type: 'prepend', items }),
  updateListItem: (value: unknown, index: number): Operation => ({ _type: 'updateListItem', value, index }),
};

/** An update object as an update expression: plain values SET (nested objects path by path), operations as tagged. */
function updateExpression(update: Plain): Expression {
  const placeholders = new Placeholders();
  const set: string[] = [];
  const add: string[] = [];
  const remove: string[] = [];
  const visit = (path: string[], value: unknown) => {
    const target = placeholders.path(path);
    if (isOperation(value)) {
      switch (value._type) {
        case 'add':
        case 'replace':
          set.push(`${target} = ${placeholders.value(value.value)}`);
          return;
        case 'remove':
          remove.push(target);
          return;
        case 'increment':
          add.push(`${target} ${placeholders.value(value.by)}`);
          return;
        case 'decrement':
          add.push(`${target} ${placeholders.value(-value.by)}`);
          return;
        case 'append':
          set.push(`${target} = list_append(if_not_exists(${target}, ${placeholders.value([])}), ${placeholders.value(value.items)})`);
          return;
        case 'prepend':
          set.push(`${target} = list_append(${placeholders.value(value.items)}, if_not_exists(${target}, ${placeholders.value([])}))`);
          return;
        case 'updateListItem':
          set.push(`${target}[${Math.trunc(value.index)}] = ${placeholders.value(value.value)}`);
          return;
      }
    }
    if (Array.isArray(value) && value.length > 0 && value.every(isOperation)) {
      for (const item of value) visit(path, item);
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [field, nested] of Object.entries(value as Plain)) if (nested !== undefined) visit([...path, field], nested);
      return;
    }
    set.push(`${target} = ${placeholders.value(value)}`);
  };
  for (const [field, value] of Object.entries(update)) if (value !== undefined) visit([field], value);
  const clauses = [
    set.length > 0 ? `SET ${set.join(', ')}` : '',
    add.length > 0 ? `ADD ${add.join(', ')}` : '',
    remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
  ].filter(Boolean);
  return placeholders.expression(clauses.join(' '));
}

/** Keeps only the fields given (AppSync leaves unset options out of the request). */
function defined(fields: Plain): Plain {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));
}

interface Versioned {
  readonly customPartitionKey?: string;
  readonly populateIndexFields?: boolean;
  readonly _version?: number;
}

const versioning = (input: Versioned) =>
  defined({ customPartitionKey: input.customPartitionKey, populateIndexFields: input.populateIndexFields, _version: input._version });

export function get(input: { key: Plain; consistentRead?: boolean; projection?: string[] }) {
  return defined({
    operation: 'GetItem',
    key: toMapValues(input.key),
    consistentRead: input.consistentRead,
    projection: projectionExpression(input.projection),
  });
}

export function put(input: { key: Plain; item: Plain; condition?: Plain | null } & Versioned) {
  return defined({
    operation: 'PutItem',
    key: toMapValues(input.key),
    attributeValues: toMapValues(input.item ?? {}),
    condition: filterExpression(input.condition),
    ...versioning(input),
  });
}

export function remove(input: { key: Plain; condition?: Plain | null } & Versioned) {
  return defined({ operation: 'DeleteItem', key: toMapValues(input.key), condition: filterExpression(input.condition), ...versioning(input) });
}

export function update(input: { key: Plain; update: Plain; condition?: Plain | null } & Versioned) {
  return defined({
    operation: 'UpdateItem',
    key: toMapValues(input.key),
    update: updateExpression(input.update),
    condition: filterExpression(input.condition),
    ...versioning(input),
  });
}

interface ReadInput {
  index?: string | null;
  limit?: number | null;
  filter?: Plain | null;
  nextToken?: string | null;
  consistentRead?: boolean | null;
  projection?: string[];
  select?: string;
  scanIndexForward?: boolean | null;
  totalSegments?: number;
  segment?: number;
}

const readOptions = (input: ReadInput) =>
  defined({
    index: input.index,
    limit: input.limit,
    filter: filterExpression(input.filter),
    nextToken: input.nextToken,
    consistentRead: input.consistentRead,
    projection: projectionExpression(input.projection),
    select: input.select,
  });

export function query(input: ReadInput & { query: Plain }) {
  return defined({ operation: 'Query', query: keyConditionExpression(input.query), ...readOptions(input), scanIndexForward: input.scanIndexForward });
}

export function scan(input: ReadInput) {
  return defined({ operation: 'Scan', ...readOptions(input), totalSegments: input.totalSegments, segment: input.segment });
}

export function sync(input: { basePartitionKey?: string; deltaIndexName?: string; limit?: number | null; nextToken?: string | null; lastSync?: number; filter?: Plain | null }) {
  return defined({
    operation: 'Sync',
    basePartitionKey: input.basePartitionKey,
    deltaIndexName: input.deltaIndexName,
    limit: input.limit,
    nextToken: input.nextToken,
    lastSync: input.lastSync,
    filter: filterExpression(input.filter),
  });
}

export function batchGet(input: { tables: Record<string, { keys: Plain[]; consistentRead?: boolean; projection?: string[] }> }) {
  const tables = Object.fromEntries(
    Object.entries(input.tables).map(([table, spec]) => [
      table,
      defined({ keys: spec.keys.map((key) => toMapValues(key)), consistentRead: spec.consistentRead, projection: projectionExpression(spec.projection) }),
    ]),
  );
  return { operation: 'BatchGetItem', tables };
}

export function batchPut(input: { tables: Record<string, Plain[]> }) {
  return { operation: 'BatchPutItem', tables: Object.fromEntries(Object.entries(input.tables).map(([table, items]) => [table, items.map((item) => toMapValues(item))])) };
}

export function batchDelete(input: { tables: Record<string, Plain[]> }) {
  return { operation: 'BatchDeleteItem', tables: Object.fromEntries(Object.entries(input.tables).map(([table, keys]) => [table, keys.map((key) => toMapValues(key))])) };
}

export function transactGet(input: { items: { table: string; key: Plain; projection?: string[] }[] }) {
  return {
    operation: 'TransactGetItems',
    transactItems: input.items.map((item) => defined({ table: item.table, key: toMapValues(item.key), projection: projectionExpression(item.projection) })),
  };
}

type TransactWriteItem =
  | { putItem: { table: string; key: Plain; item: Plain; condition?: Plain } }
  | { updateItem: { table: string; key: Plain; update: Plain; condition?: Plain } }
  | { deleteItem: { table: string; key: Plain; condition?: Plain } }
  | { conditionCheck: { table: string; key: Plain; condition?: Plain } };

function transactWriteItem(item: TransactWriteItem): Plain {
  if ('putItem' in item) {
    const { table, key, item: values, condition } = item.putItem;
    return defined({ table, operation: 'PutItem', key: toMapValues(key), attributeValues: toMapValues(values), condition: filterExpression(condition) });
  }
  if ('updateItem' in item) {
    const { table, key, update: changes, condition } = item.updateItem;
    return defined({ table, operation: 'UpdateItem', key: toMapValues(key), update: updateExpression(changes), condition: filterExpression(condition) });
  }
  if ('deleteItem' in item) {
    const { table, key, condition } = item.deleteItem;
    return defined({ table, operation: 'DeleteItem', key: toMapValues(key), condition: filterExpression(condition) });
  }
  const { table, key, condition } = item.conditionCheck;
  return defined({ table, operation: 'ConditionCheck', key: toMapValues(key), condition: filterExpression(condition) });
}

export function transactWrite(input: { items: TransactWriteItem[] }) {
  return { operation: 'TransactWriteItems', transactItems: input.items.map(transactWriteItem) };
}

export const toStringSet = (list: string[]) => ({ SS: [...list] });
export const toNumberSet = (numbers: number[]) => ({ NS: numbers.map(String) });
export const toBinarySet = (values: string[]) => ({ BS: [...values] });
