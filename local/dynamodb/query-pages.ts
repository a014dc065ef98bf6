/**
 * Query and Scan pages read from LevelDB in one call. dynalite's queryTable
 * (db/index.js, shared by both actions) reads a page through a Node stream
 * over LevelDB's iterator, then `lazy` steps: a promise, a stream push and a
 * lazy step per item, and two thread-pool hops before the first item (the
 * iterator's nextv(1), then nextv(1000)). For a 20-entry page of a label
 * partition that is most of the Query's CPU. This queryTable reads the same
 * range with the same options in nextv calls that each return up to a whole
 * page (highWaterMarkBytes above DynamoDB's 1 MB page plus one item), then
 * builds the answer exactly as dynalite's does:
 *
 * - items are taken in key order (reversed for ScanIndexForward false) until
 *   Limit items were read or 1 MB was reached (the item that crosses 1 MB
 *   is still in the page), counted before any filter: ScannedCount;
 * - LastEvaluatedKey is the last item read (its table and index key
 *   attributes) when the page stopped at Limit or 1 MB, even when nothing
 *   follows, as DynamoDB does;
 * - then the filter, the projection, Count, Items, and ConsumedCapacity
 *   last (consumed-capacity.ts relies on that order).
 *
 * A query of a local secondary index that fetches non-projected attributes
 * from the table (dynalite's fetchFromItemDb) keeps dynalite's own reader.
 *
 * @example
 * readPagesInOneCall(); // before dynalite handles its first request
 */
import { createRequire } from 'node:module';

type Item = Record<string, unknown>;
type Callback = (error: unknown, result?: Item) => void;

/** LevelDB range options as dynalite's query and scan actions build them (keys without the sub-database prefix). */
export interface RangeOptions {
  readonly gt?: string;
  readonly gte?: string;
  readonly lt?: string;
  readonly lte?: string;
  readonly reverse?: boolean;
  /** Limit + 1, or -1 for no limit. */
  readonly limit?: number;
}

/** The request fields queryTable reads (dynalite's validated Query or Scan input). */
interface PageRequest {
  readonly TableName: string;
  readonly IndexName?: string;
  readonly Limit?: number;
  readonly ConsistentRead?: boolean;
  readonly ReturnConsumedCapacity?: string;
  readonly Select?: string;
  readonly QueryFilter?: unknown;
  readonly ScanFilter?: unknown;
  readonly ConditionalOperator?: unknown;
  readonly AttributesToGet?: unknown;
  readonly _filter?: { readonly expression: unknown };
  readonly _projection?: { readonly paths: unknown };
}

interface ValueIterator {
  nextv(size: number): Promise<Item[]>;
  close(): Promise<void>;
}

/** What queryTable uses of dynalite's store. */
interface PageStore {
  readonly options: { readonly maxItemSize: number };
  readonly db: { values(options: Record<string, unknown>): ValueIterator };
}

interface TableDescription {
  readonly KeySchema: readonly { readonly AttributeName: string }[];
}

type QueryTable = (
  store: PageStore,
  table: TableDescription,
  data: PageRequest,
  opts: RangeOptions,
  isLocal: boolean,
  fetchFromItemDb: boolean,
  startKeyNames: readonly string[],
  cb: Callback,
) => void;

/** What this module uses of dynalite's db module. */
interface DynaliteDbModule {
  /** Ours carries dynalite's own as `dynalite` (tests compare the two). */
  queryTable: QueryTable & { dynalite?: QueryTable };
  itemSize(item: Item, compress?: boolean, addMetaSize?: boolean, rangeKey?: string): number;
  matchesExprFilter(item: Item, expression: unknown): boolean;
  matchesFilter(item: Item, filter: unknown, conditionalOperator: unknown): boolean;
  mapPaths(paths: unknown, item: Item): Item;
}

/** DynamoDB's page size: a Query or Scan stops once it has read this much. */
export const maxPageBytes = 1024 * 1024;

/** Entries asked of each nextv: the iterator's own limit (Limit + 1) and highWaterMarkBytes end a page first. */
const entriesPerRead = 1000;

/**
 * `range` inside the sub-database whose keys start with `prefix`, as dynalite's
 * prefixed wrapper (db/index.js, createValueStream) turns it: each bound
 * prefixed, and the missing ones the whole sub-database (`prefix` to `prefix\xFF`).
 */
export function prefixedRange(prefix: string, range: RangeOptions): Record<string, unknown> {
  const { gt, gte, lt, lte, ...rest } = range;
  const lower = gte !== undefined && gte !== '' ? { gte: prefix + gte } : gt !== undefined && gt !== '' ? { gt: prefix + gt } : { gte: prefix };
  const upper = lte !== undefined && lte !== '' ? { lte: prefix + lte } : lt !== undefined && lt !== '' ? { lt: prefix + lt } : { lt: `${prefix}\xFF` };
  return { ...rest, ...lower, ...upper };
}

/** The sub-database dynalite keeps a table's items, or one of its indexes, under (db/index.js, getItemDb and getIndexDb). */
export function subDatabasePrefix(tableName: string, index?: { readonly name: string; readonly isLocal: boolean }): string {
  return index ? `index-${index.isLocal ? 'local' : 'global'}~${tableName}~${index.name}~` : `item-${tableName}~`;
}

/** How a page's reading stops: dynalite's takeWhile, item by item. */
export interface PageLimits {
  /** The request's Limit; undefined for none. */
  readonly limit?: number;
  /** The item's size as dynalite counts it towards the 1 MB page (compressed, with its metadata). */
  readonly pageBytesOf: (item: Item) => number;
}

/** A page being read: the items taken so far, and how many and how much. */
export class PageReader {
  public readonly items: Item[] = [];
  public count = 0;
  public bytes = 0;
  public constructor(private readonly limits: PageLimits) {}

  /** Whether the page is full: Limit items read, or 1 MB reached. */
  public get full(): boolean {
    return (this.limits.limit !== undefined && this.count >= this.limits.limit) || this.bytes >= maxPageBytes;
  }

  /** Takes `item` unless the page is full; answers whether it took it. */
  public take(item: Item): boolean {
    if (this.full) return false;
    this.count += 1;
    this.bytes += this.limits.pageBytesOf(item);
    this.items.push(item);
    return true;
  }
}

const requireDynalite = createRequire(import.meta.url);

/** Replaces dynalite's queryTable (shared by every dynalite store of the process) with the one-call reader; once is enough. */
export function readPagesInOneCall(): void {
  const db = requireDynalite('dynalite/db') as DynaliteDbModule;
  if (db.queryTable.dynalite) return;
  const dynaliteQueryTable = db.queryTable;

  const queryTable: QueryTable = (store, table, data, opts, isLocal, fetchFromItemDb, startKeyNames, cb) => {
    if (fetchFromItemDb) return dynaliteQueryTable(store, table, data, opts, isLocal, fetchFromItemDb, startKeyNames, cb);
    const prefix = subDatabasePrefix(data.TableName, data.IndexName === undefined ? undefined : { name: data.IndexName, isLocal });
    const iterator = store.db.values({ ...prefixedRange(prefix, opts), highWaterMarkBytes: maxPageBytes + store.options.maxItemSize });
    // The callback runs outside the promise chain: should it throw, that is an uncaught exception, as it is
    // from dynalite's own stream.
    readPage(db, iterator, table, data)
      .then((page) => answer(db, page, data, isLocal, startKeyNames))
      .then(
        (result) => process.nextTick(cb, null, result),
        (error: unknown) => process.nextTick(cb, error),
      );
  };
  db.queryTable = Object.assign(queryTable, { dynalite: dynaliteQueryTable });
}

interface ReadPage {
  readonly reader: PageReader;
  /** The read items' sizes, for ConsumedCapacity (uncompressed, without metadata). */
  readonly capacityBytes: number;
}

async function readPage(db: DynaliteDbModule, iterator: ValueIterator, table: TableDescription, data: PageRequest): Promise<ReadPage> {
  const rangeKey = table.KeySchema[1]?.AttributeName;
  const reader = new PageReader({ limit: data.Limit, pageBytesOf: (item) => db.itemSize(item, true, true, rangeKey) });
  const countCapacity = data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES';
  let capacityBytes = 0;
  try {
    while (!reader.full) {
      const values = await iterator.nextv(entriesPerRead);
      if (values.length === 0) break;
      for (const item of values) {
        if (!reader.take(item)) break;
        if (countCapacity) capacityBytes += db.itemSize(item);
      }
    }
  } finally {
    await iterator.close();
  }
  return { reader, capacityBytes };
}

/** dynalite's answer for the page read (db/index.js, queryTable's join), field for field and in its order. */
function answer(db: DynaliteDbModule, page: ReadPage, data: PageRequest, isLocal: boolean, startKeyNames: readonly string[]): Item {
  const { reader, capacityBytes } = page;
  let items = reader.items;
  const lastItem = items.at(-1);
  // `||` as dynalite has it: any falsy QueryFilter gives way to ScanFilter.
  const queryFilter = data.QueryFilter || data.ScanFilter;
  if (data._filter) {
    const { expression } = data._filter;
    items = items.filter((item) => db.matchesExprFilter(item, expression));
  } else if (queryFilter) items = items.filter((item) => db.matchesFilter(item, queryFilter, data.ConditionalOperator));

  const result: Item = { ScannedCount: reader.count };
  if (reader.full) {
    if (data.Limit) items.splice(data.Limit);
    if (lastItem) result.LastEvaluatedKey = Object.fromEntries(startKeyNames.map((name) => [name, lastItem[name]]));
  }
  const paths = data._projection ? data._projection.paths : data.AttributesToGet;
  if (paths) items = items.map((item) => db.mapPaths(paths, item));
  result.Count = items.length;
  if (data.Select !== 'COUNT') result.Items = items;
  if (data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES') {
    const units = (bytes: number) => Math.ceil(bytes / 1024 / 4) * (data.ConsistentRead ? 1 : 0.5);
    const tableUnits = units(data.IndexName ? 0 : capacityBytes);
    const indexUnits = units(data.IndexName ? capacityBytes : 0);
    const consumed: Item = { CapacityUnits: tableUnits + indexUnits, TableName: data.TableName };
    if (data.ReturnConsumedCapacity === 'INDEXES') {
      consumed.Table = { CapacityUnits: tableUnits };
      if (data.IndexName) consumed[isLocal ? 'LocalSecondaryIndexes' : 'GlobalSecondaryIndexes'] = { [data.IndexName]: { CapacityUnits: indexUnits } };
    }
    result.ConsumedCapacity = consumed;
  }
  return result;
}
