/**
 * What the local DynamoDB layers need to know of a table: its key attributes
 * (to find the key of a PutItem's item) and its global secondary indexes
 * with their projections (to meter index writes and storage). Read with
 * DescribeTable on first use and forgotten when a table is created, updated
 * or deleted.
 */
import { isObject, type InnerCall, type WireItem } from './inner-calls.ts';

export interface IndexSchema {
  readonly name: string;
  readonly keyNames: readonly string[];
  /** ALL, KEYS_ONLY or INCLUDE (with nonKeyAttributes). */
  readonly projectionType: string;
  readonly nonKeyAttributes: readonly string[];
}

export interface TableSchema {
  readonly keyNames: readonly string[];
  readonly indexes: readonly IndexSchema[];
}

const keyNamesOf = (schema: unknown): string[] =>
  (Array.isArray(schema) ? schema : []).flatMap((element) => (isObject(element) && typeof element.AttributeName === 'string' ? [element.AttributeName] : []));

export class TableSchemas {
  private readonly known = new Map<string, TableSchema>();

  /** The table's schema, or undefined when there is no such table. */
  public async get(call: InnerCall, tableName: string): Promise<TableSchema | undefined> {
    const cached = this.known.get(tableName);
    if (cached) return cached;
    const described = await call('DescribeTable', { TableName: tableName });
    if (!described.ok || !isObject(described.output.Table)) return undefined;
    const table = described.output.Table;
    const schema: TableSchema = {
      keyNames: keyNamesOf(table.KeySchema),
      indexes: (Array.isArray(table.GlobalSecondaryIndexes) ? table.GlobalSecondaryIndexes : []).filter(isObject).map((index) => {
        const projection = isObject(index.Projection) ? index.Projection : {};
        return {
          name: String(index.IndexName),
          keyNames: keyNamesOf(index.KeySchema),
          projectionType: typeof projection.ProjectionType === 'string' ? projection.ProjectionType : 'ALL',
          nonKeyAttributes: Array.isArray(projection.NonKeyAttributes) ? projection.NonKeyAttributes.map(String) : [],
        };
      }),
    };
    this.known.set(tableName, schema);
    return schema;
  }

  /** The table's schema when it was described before; undefined otherwise (no call made). */
  public described(tableName: string): TableSchema | undefined {
    return this.known.get(tableName);
  }

  public forget(tableName: string): void {
    this.known.delete(tableName);
  }
}

/** The key attributes of `item` under `keyNames`, or undefined when one is missing. */
export function keyOf(item: WireItem, keyNames: readonly string[]): WireItem | undefined {
  const key: WireItem = {};
  for (const name of keyNames) {
    if (!isObject(item[name])) return undefined;
    key[name] = item[name];
  }
  return key;
}

/** One string per item: table and key, attribute order aside. */
export const itemIdentity = (tableName: string, key: WireItem): string =>
  JSON.stringify([tableName, Object.keys(key).sort().map((name) => [name, key[name]])]);
