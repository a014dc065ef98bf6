/**
 * What the local DynamoDB did, in DynamoDB's billing units, per table and
 * per global secondary index ("Read/write capacity mode", "Global secondary
 * indexes: provisioned throughput considerations", DynamoDB Developer
 * Guide):
 *
 * - a write costs 1 write unit per KB (rounded up) of the larger of the item
 *   before and after; a failed condition still costs the item's size; a
 *   transactional write costs twice;
 * - an index is written when the projected item changes: an item entering
 *   or leaving the index is one write of its projected size, a changed index
 *   key is two (delete and put), a change to projected attributes is one,
 *   and a change to nothing projected is none;
 * - reads come from dynalite's own ConsumedCapacity (4 KB per unit, half for
 *   eventually consistent reads), transactional reads twice;
 * - bytes stored: each item's size plus 100 bytes, in the table and (its
 *   projection) in each index it is in; counted as changes since the start.
 */
import type { WireItem } from './inner-calls.ts';
import { itemBytes, writeUnits } from './item-size.ts';
import type { IndexSchema, TableSchema } from './table-schemas.ts';
import type { EffectObserver, ReadEffect, WriteEffect } from './write-effects.ts';

/** DynamoDB's per-item storage overhead. */
const itemOverheadBytes = 100;

export interface CapacityUsage {
  writeUnits: number;
  readUnits: number;
  /** Bytes stored now minus at the start (items' sizes plus 100 bytes each). */
  storedBytes: number;
}

export interface TableUsage extends CapacityUsage {
  /** Item writes (each item of a batch or transaction counted). */
  writes: number;
  readonly indexes: Record<string, CapacityUsage>;
}

export interface DynamoDbUsage {
  readonly tables: Record<string, TableUsage>;
}

/** The item as `index` holds it, or undefined when the item is not in it (a sparse index). */
export function projectedItem(item: WireItem | undefined, index: IndexSchema, tableKeyNames: readonly string[]): WireItem | undefined {
  if (!item || !index.keyNames.every((name) => item[name] !== undefined)) return undefined;
  if (index.projectionType === 'ALL') return item;
  const names = new Set([...tableKeyNames, ...index.keyNames, ...(index.projectionType === 'INCLUDE' ? index.nonKeyAttributes : [])]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

const sameKey = (first: WireItem, second: WireItem, keyNames: readonly string[]) => keyNames.every((name) => JSON.stringify(first[name]) === JSON.stringify(second[name]));

/** An item's size in bytes (0 for none): itemBytes, or a memo of it. */
type SizeOf = (item: WireItem | undefined) => number;

/** Write units a write costs an index, from the item before and after as the index holds them (projectedItem). */
function projectedWriteUnits(old: WireItem | undefined, next: WireItem | undefined, index: IndexSchema, sizeOf: SizeOf): number {
  if (!old && !next) return 0;
  if (!old) return writeUnits(sizeOf(next));
  if (!next) return writeUnits(sizeOf(old));
  if (!sameKey(old, next, index.keyNames)) return writeUnits(sizeOf(old)) + writeUnits(sizeOf(next));
  if (JSON.stringify(old) === JSON.stringify(next)) return 0;
  return writeUnits(Math.max(sizeOf(old), sizeOf(next)));
}

/** Write units a write costs `index`, from the item before and after. */
export function indexWriteUnits(before: WireItem | undefined, after: WireItem | undefined, index: IndexSchema, tableKeyNames: readonly string[]): number {
  return projectedWriteUnits(projectedItem(before, index, tableKeyNames), projectedItem(after, index, tableKeyNames), index, itemBytes);
}

/** Bytes stored for an item of `bytes` (none: 0). */
const storedBytesOf = (item: WireItem | undefined, bytes: number) => (item ? bytes + itemOverheadBytes : 0);

/** Write units the table is billed for `effect`, given the sizes of its items before and after. */
const tableUnits = (effect: WriteEffect, sizeOf: SizeOf) =>
  writeUnits(effect.conditionFailed ? sizeOf(effect.before) : Math.max(sizeOf(effect.before), sizeOf(effect.after))) * (effect.transactional ? 2 : 1);

/** Write units the table itself is billed for `effect`. */
export function tableWriteUnits(effect: WriteEffect): number {
  return tableUnits(effect, itemBytes);
}

/**
 * itemBytes of each item asked, walked once: a write's items are sized for the table's units, its bytes stored and
 * each index whose projection is ALL (the same objects), and the items carry the labels of an image.
 */
function memoizedSizes(): SizeOf {
  const sizes = new Map<WireItem, number>();
  return (item) => {
    if (!item) return 0;
    let size = sizes.get(item);
    if (size === undefined) {
      size = itemBytes(item);
      sizes.set(item, size);
    }
    return size;
  };
}

/** A write effect with the schema of its table (for the indexes). */
export type MeteredWrite = WriteEffect & { readonly schema?: TableSchema };

/**
 * A record keyed by table or index names without a prototype: DynamoDB
 * allows `__proto__` and `constructor` as names, which on `{}` would reach
 * Object.prototype instead of a count of their own.
 */
const namedCounts = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export class DynamoDbMeter implements EffectObserver {
  private tables = namedCounts<TableUsage>();

  private table(name: string): TableUsage {
    return (this.tables[name] ??= { writeUnits: 0, readUnits: 0, storedBytes: 0, writes: 0, indexes: namedCounts<CapacityUsage>() });
  }

  private index(table: TableUsage, name: string): CapacityUsage {
    return (table.indexes[name] ??= { writeUnits: 0, readUnits: 0, storedBytes: 0 });
  }

  public wrote(effect: MeteredWrite): void {
    const sizeOf = memoizedSizes();
    const table = this.table(effect.tableName);
    table.writes += 1;
    table.writeUnits += tableUnits(effect, sizeOf);
    if (effect.conditionFailed) return;
    table.storedBytes += storedBytesOf(effect.after, sizeOf(effect.after)) - storedBytesOf(effect.before, sizeOf(effect.before));
    const keyNames = effect.schema?.keyNames ?? [];
    for (const index of effect.schema?.indexes ?? []) {
      const usage = this.index(table, index.name);
      const old = projectedItem(effect.before, index, keyNames);
      const next = projectedItem(effect.after, index, keyNames);
      usage.writeUnits += projectedWriteUnits(old, next, index, sizeOf);
      usage.storedBytes += storedBytesOf(next, sizeOf(next)) - storedBytesOf(old, sizeOf(old));
    }
  }

  public read(effect: ReadEffect): void {
    const table = this.table(effect.tableName);
    if (effect.indexName) this.index(table, effect.indexName).readUnits += effect.readUnits;
    else table.readUnits += effect.readUnits;
  }

  /** A copy of the counts so far. */
  public usage(): DynamoDbUsage {
    return { tables: structuredClone(this.tables) };
  }

  public reset(): void {
    this.tables = namedCounts<TableUsage>();
  }
}
