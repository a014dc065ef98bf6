/**
 * The layer right above dynalite: it serializes what must be atomic and
 * tells an observer (the meter) what each request did.
 *
 * - A single-item write (PutItem, UpdateItem, DeleteItem) and a
 *   BatchWriteItem hold their items' locks exclusively (item-locks.ts, all
 *   queued for as it arrives) and the store-wide lock shared: writes of different
 *   items run side by side, as on DynamoDB, and two writes of one item run
 *   one after the other, in arrival order. dynalite tolerates that: it
 *   locks each item itself for its read-modify-write, and an item's index
 *   entries are keyed by the item's own key, so writes of different items
 *   touch no common record. A write whose items cannot be named as it
 *   arrives (a table not described yet, a key not made of strings, a
 *   request dynalite's validation will answer) holds the store-wide lock
 *   exclusively instead, as does one whose table changed before it ran.
 * - TransactWriteItems and TransactGetItems (./transactions.ts) hold the
 *   store-wide lock exclusively: no write lands between a transaction's
 *   reads, checks and writes, and no read sees a transaction half applied
 *   (a put back after a refusal included).
 * - Reads share the store-wide lock, beside single-item writes: dynalite
 *   writes each item in one LevelDB put, so a read of the table sees each
 *   item before or after a write, never half written (DynamoDB isolates
 *   nothing more between items outside transactions). An index is written
 *   before its item, so a read of an index may see an entry before its item
 *   changes: allowed for a GSI, which DynamoDB keeps eventually consistent;
 *   an LSI read (strongly consistent on DynamoDB) could see it too, but the
 *   stack's table has none (infra/images-table.ts). A GetItem of an item no
 *   pending write names takes no lock at all, so it does not queue behind a
 *   transaction or a batch of other items (pending-writes.ts);
 *   one whose item a pending write names waits for that item's lock, then
 *   for the store-wide lock shared.
 *
 * Holding an item's lock (or the store-wide lock exclusively) the observer
 * learns each written item before and after, which is what DynamoDB bills
 * table and index writes on: no other write of the item can land between
 * the write and these reads. A PutItem or DeleteItem asks dynalite for the
 * old item in its own answer (ReturnValues ALL_OLD, taken back out when the
 * caller did not ask for it), so it costs no extra read; an UpdateItem asks
 * for the new item the same way (ALL_NEW) and is read only before it runs
 * (billing takes the larger of the two), an UpdateItem asking UPDATED_* or
 * ALL_OLD is also read after, and each item of a BatchWriteItem is read
 * before, as is an item whose condition failed. Reads ask dynalite for their
 * consumed read units (ReturnConsumedCapacity), which the caller gets only
 * when it asked for them.
 */
import { exceptionOf, withBody, withBodyText } from './errors.ts';
import type { DynamoDbHttpRequest, DynamoDbHttpResponse, DynamoDbTransport } from './in-process.ts';
import { bodyOf, innerCaller, isObject, operationOf, type InnerCall, type WireItem } from './inner-calls.ts';
import { splitConsumedCapacity, withConsumedCapacity } from './consumed-capacity.ts';
import { ItemLocks } from './item-locks.ts';
import { ReadWriteLock } from './rw-lock.ts';
import { itemBytes } from './item-size.ts';
import { itemIdentity, keyOf, TableSchemas } from './table-schemas.ts';
import { PendingWrites } from './pending-writes.ts';
import { Transactions } from './transactions.ts';
import type { EffectObserver, WriteEffect } from './write-effects.ts';
import type { TableSchema } from './table-schemas.ts';

const readOperations = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const tableOperations = new Set(['CreateTable', 'UpdateTable', 'DeleteTable']);
/** Matches a string that is not well-formed UTF-16 (String.prototype.isWellFormed, which the ES2023 lib lacks). */
const loneSurrogate = /[\ud800-\udfff]/u;

/** One item a write touches: its table and key, and for a put the item it writes. */
interface Touched {
  readonly tableName: string;
  readonly key: WireItem;
  readonly put?: WireItem;
}

/** Observes what each request did; a write comes with its table's schema, for the indexes it touched. */
export interface StoreObserver extends EffectObserver {
  wrote(effect: WriteEffect & { readonly schema?: TableSchema }): void;
}

const noObserver: StoreObserver = { wrote: () => undefined, read: () => undefined };

/** Transactions and write/read observation in front of dynalite's `transport`. */
export function storeTransport(transport: DynamoDbTransport, observer: StoreObserver = noObserver): DynamoDbTransport {
  const lock = new ReadWriteLock();
  const itemLocks = new ItemLocks();
  /** Table operations begun so far: a write named its items under the schemas of the count it saw. */
  let tableChanges = 0;
  const schemas = new TableSchemas();
  const transactions = new Transactions(schemas);
  const pending = new PendingWrites();

  /**
   * The identity of an item of a described table, from an item or a key; undefined when it cannot say. Only
   * well-formed string keys have one: `{N: "1"}` and `{N: "1.0"}` (or two spellings of one binary) are one item
   * to DynamoDB but two strings here, so a GetItem could read past a write to its own item.
   */
  const identityOf = (tableName: unknown, source: unknown): string | undefined => {
    if (typeof tableName !== 'string' || !isObject(source)) return undefined;
    const schema = schemas.described(tableName);
    const key = schema && keyOf(source as WireItem, schema.keyNames);
    // A string that is not well-formed UTF-16 (a lone surrogate) is not named either: dynalite maps "\ud800",
    // "\udfff" and "\ufffd" to one record, so two such keys would be one item under two identities.
    const named = (value: unknown) => isObject(value) && Object.keys(value).length === 1 && typeof value.S === 'string' && !loneSurrogate.test(value.S);
    if (!key || !Object.values(key).every(named)) return undefined;
    return itemIdentity(tableName, key);
  };

  /**
   * The items a write may change, named synchronously as it arrives (so a
   * GetItem arriving after it waits for it); undefined when one cannot be
   * named. An item dynalite will refuse to key is named as unknown too.
   */
  function writtenItems(operation: string, body: Record<string, unknown>): string[] | undefined {
    const sources: [unknown, unknown][] = [];
    if (operation === 'PutItem') sources.push([body.TableName, body.Item]);
    else if (operation === 'UpdateItem' || operation === 'DeleteItem') sources.push([body.TableName, body.Key]);
    else if (operation === 'BatchWriteItem') {
      if (!isObject(body.RequestItems)) return undefined;
      for (const [tableName, requests] of Object.entries(body.RequestItems)) {
        if (!Array.isArray(requests)) return undefined;
        for (const request of requests) {
          if (!isObject(request)) return undefined;
          sources.push([tableName, isObject(request.PutRequest) ? request.PutRequest.Item : isObject(request.DeleteRequest) ? request.DeleteRequest.Key : undefined]);
        }
      }
    } else if (operation === 'TransactWriteItems') {
      if (!Array.isArray(body.TransactItems)) return undefined;
      for (const element of body.TransactItems) {
        const action = isObject(element) ? [element.Put, element.Update, element.Delete, element.ConditionCheck].find(isObject) : undefined;
        if (!action) return undefined;
        sources.push([action.TableName, element.Put === action ? action.Item : action.Key]);
      }
    } else return undefined;
    const identities = sources.map(([tableName, source]) => identityOf(tableName, source));
    return identities.every((identity) => identity !== undefined) ? (identities as string[]) : undefined;
  }

  /** Runs a write of `identities` (undefined: every item), its items pending from its arrival to its end. */
  async function asPendingWrite(identities: string[] | undefined, work: () => Promise<DynamoDbHttpResponse>): Promise<DynamoDbHttpResponse> {
    const release = pending.add(identities);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * A PutItem, UpdateItem, DeleteItem or BatchWriteItem: its items' locks
   * exclusively and the store-wide lock shared when its items can be named,
   * else the store-wide lock exclusively. A table operation that began after
   * the items were named may have changed their keys: the write then runs
   * exclusively too.
   */
  function itemWrite(request: DynamoDbHttpRequest, operation: string, body: Record<string, unknown>): Promise<DynamoDbHttpResponse> {
    const identities = writtenItems(operation, body);
    const alone = () => lock.with('exclusive', () => write(request, operation, body));
    if (identities === undefined) return asPendingWrite(undefined, alone);
    const named = tableChanges;
    // Its item locks are kept while it waits to run alone (item before store, as everywhere); alone, it is
    // registered as naming every item: under keys changed since it named its items, it may write any.
    return asPendingWrite(identities, () =>
      itemLocks.with(identities, 'exclusive', async () => (await lock.with('shared', async () => (tableChanges === named ? write(request, operation, body) : undefined))) ?? asPendingWrite(undefined, alone)),
    );
  }

  /** The items a PutItem, UpdateItem, DeleteItem or BatchWriteItem touches; undefined when it cannot say (dynalite's validation then answers). */
  async function touchedBy(call: InnerCall, operation: string, body: Record<string, unknown>): Promise<Touched[] | undefined> {
    const one = async (tableName: unknown, source: unknown, isPut: boolean): Promise<Touched | undefined> => {
      if (typeof tableName !== 'string' || !isObject(source)) return undefined;
      const schema = await schemas.get(call, tableName);
      const key = schema && keyOf(source as WireItem, schema.keyNames);
      return key ? { tableName, key, put: isPut ? (source as WireItem) : undefined } : undefined;
    };
    if (operation === 'PutItem') return [await one(body.TableName, body.Item, true)].filter((item) => item !== undefined);
    if (operation === 'UpdateItem' || operation === 'DeleteItem') return [await one(body.TableName, body.Key, false)].filter((item) => item !== undefined);
    const touched: Touched[] = [];
    for (const [tableName, requests] of Object.entries(isObject(body.RequestItems) ? body.RequestItems : {})) {
      for (const request of Array.isArray(requests) ? requests : []) {
        const put = isObject(request) && isObject(request.PutRequest) ? request.PutRequest.Item : undefined;
        const remove = isObject(request) && isObject(request.DeleteRequest) ? request.DeleteRequest.Key : undefined;
        const item = await one(tableName, put ?? remove, put !== undefined);
        if (item) touched.push(item);
      }
    }
    return touched;
  }

  async function readBack(call: InnerCall, item: Touched): Promise<WireItem | undefined> {
    const read = await call('GetItem', { TableName: item.tableName, Key: item.key, ConsistentRead: true });
    return read.ok && isObject(read.output.Item) ? (read.output.Item as WireItem) : undefined;
  }

  /**
   * A PutItem or DeleteItem whose old item dynalite's own answer can carry:
   * the caller asked for it (ALL_OLD), or for nothing (absent or NONE), in
   * which case it is asked for here and taken back out of the answer. Any
   * other ReturnValues goes to dynalite as sent, for its validation to answer.
   */
  const oldItemInAnswer = (operation: string, body: Record<string, unknown>) =>
    (operation === 'PutItem' || operation === 'DeleteItem') && (body.ReturnValues === undefined || body.ReturnValues === 'NONE' || body.ReturnValues === 'ALL_OLD');

  /** A PutItem or DeleteItem observed from its own answer (ReturnValues ALL_OLD), without reading the item first. */
  async function writeWithOldItem(request: DynamoDbHttpRequest, operation: string, body: Record<string, unknown>): Promise<DynamoDbHttpResponse> {
    const call = innerCaller(transport, request);
    const [item] = (await touchedBy(call, operation, body)) ?? [];
    const askedOld = body.ReturnValues === 'ALL_OLD';
    const response = askedOld ? await transport(request) : await transport({ ...request, body: JSON.stringify({ ...body, ReturnValues: 'ALL_OLD' }) });
    const failed = exceptionOf(response) === 'ConditionalCheckFailedException';
    if (response.statusCode !== 200 && !failed) return response;
    if (failed) {
      // Nothing was written, and nothing can be while the item's lock is held: the item now is the item before.
      if (item) {
        const current = await readBack(call, item);
        observer.wrote({ tableName: item.tableName, before: current, after: current, transactional: false, conditionFailed: true, schema: await schemas.get(call, item.tableName) });
      }
      return response;
    }
    const output = JSON.parse(response.body) as Record<string, unknown>;
    if (item) {
      const before = isObject(output.Attributes) ? (output.Attributes as WireItem) : undefined;
      const effect: WriteEffect = { tableName: item.tableName, before, after: item.put, transactional: false, conditionFailed: false };
      observer.wrote({ ...effect, schema: await schemas.get(call, item.tableName) });
    }
    if (askedOld) return response;
    const { Attributes: _old, ...rest } = output;
    return withBody(response, rest);
  }

  /**
   * An UpdateItem whose new item dynalite's own answer can carry: the caller
   * asked for it (ALL_NEW), or for nothing (absent or NONE), in which case it
   * is asked for here and taken back out of the answer. The old item is still
   * read first: an update is billed on the larger of the two.
   */
  const newItemInAnswer = (operation: string, body: Record<string, unknown>) =>
    operation === 'UpdateItem' && (body.ReturnValues === undefined || body.ReturnValues === 'NONE' || body.ReturnValues === 'ALL_NEW');

  async function write(request: DynamoDbHttpRequest, operation: string, body: Record<string, unknown>): Promise<DynamoDbHttpResponse> {
    if (oldItemInAnswer(operation, body)) return writeWithOldItem(request, operation, body);
    const call = innerCaller(transport, request);
    const touched = (await touchedBy(call, operation, body)) ?? [];
    const before = await Promise.all(touched.map((item) => readBack(call, item)));
    const askNew = newItemInAnswer(operation, body) && body.ReturnValues !== 'ALL_NEW';
    const response = askNew ? await transport({ ...request, body: JSON.stringify({ ...body, ReturnValues: 'ALL_NEW' }) }) : await transport(request);
    const failed = exceptionOf(response) === 'ConditionalCheckFailedException';
    if (response.statusCode !== 200 && !failed) return response;
    const output = !failed && newItemInAnswer(operation, body) ? (JSON.parse(response.body) as Record<string, unknown>) : undefined;
    for (const [index, item] of touched.entries()) {
      const newItem = output && isObject(output.Attributes) ? (output.Attributes as WireItem) : undefined;
      const after = failed ? before[index] : operation === 'UpdateItem' ? (newItem ?? (await readBack(call, item))) : item.put;
      const effect: WriteEffect = { tableName: item.tableName, before: before[index], after, transactional: false, conditionFailed: failed };
      observer.wrote({ ...effect, schema: await schemas.get(call, item.tableName) });
    }
    if (!askNew || !output) return response;
    const { Attributes: _new, ...rest } = output;
    return withBody(response, rest);
  }

  async function read(request: DynamoDbHttpRequest, operation: string, body: Record<string, unknown>): Promise<DynamoDbHttpResponse> {
    const asked = body.ReturnConsumedCapacity;
    const response = await transport(asked === 'INDEXES' ? request : { ...request, body: JSON.stringify({ ...body, ReturnConsumedCapacity: 'INDEXES' }) });
    if (response.statusCode !== 200) return response;
    // The items are not parsed here: ConsumedCapacity is cut off the end of the answer (consumed-capacity.ts).
    const split = splitConsumedCapacity(response.body);
    const consumedCapacity = split ? split.consumedCapacity : (JSON.parse(response.body) as Record<string, unknown>).ConsumedCapacity;
    const consumed = Array.isArray(consumedCapacity) ? consumedCapacity : [consumedCapacity];
    for (const capacity of consumed.filter(isObject)) {
      const indexName = operation === 'Query' || operation === 'Scan' ? (typeof body.IndexName === 'string' ? body.IndexName : undefined) : undefined;
      observer.read({ tableName: String(capacity.TableName), indexName, readUnits: Number(capacity.CapacityUnits ?? 0) });
    }
    if (asked === 'INDEXES') return response;
    const total = (capacity: unknown) => (isObject(capacity) ? { CapacityUnits: capacity.CapacityUnits, TableName: capacity.TableName } : capacity);
    const answered = asked === 'TOTAL' ? (Array.isArray(consumedCapacity) ? consumedCapacity.map(total) : total(consumedCapacity)) : undefined;
    if (split) return withBodyText(response, withConsumedCapacity(split.rest, answered));
    const { ConsumedCapacity: _consumed, ...rest } = JSON.parse(response.body) as Record<string, unknown>;
    return withBody(response, answered === undefined ? rest : { ...rest, ConsumedCapacity: answered });
  }

  async function transactWrite(request: DynamoDbHttpRequest, body: Record<string, unknown>): Promise<DynamoDbHttpResponse> {
    const call = innerCaller(transport, request);
    const outcome = await transactions.write(call, body);
    for (const effect of outcome.effects) observer.wrote({ ...effect, schema: await schemas.get(call, effect.tableName) });
    return outcome.response;
  }

  async function transactGet(request: DynamoDbHttpRequest, body: Record<string, unknown>): Promise<DynamoDbHttpResponse> {
    const outcome = await transactions.get(innerCaller(transport, request), body);
    // Each transactional read is billed twice, consistent, at least one unit.
    for (const read of outcome.readUnits) observer.read({ tableName: read.tableName, readUnits: 2 * Math.max(1, Math.ceil(itemBytes(read.item) / 4096)) });
    return outcome.response;
  }

  return async (request) => {
    const operation = operationOf(request);
    const body = operation === undefined ? undefined : bodyOf(request);
    if (operation === undefined || body === undefined) return lock.with('shared', () => transport(request));
    if (operation === 'TransactWriteItems') return asPendingWrite(writtenItems(operation, body), () => lock.with('exclusive', () => transactWrite(request, body)));
    if (operation === 'TransactGetItems') return lock.with('exclusive', () => transactGet(request, body));
    if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem' || operation === 'BatchWriteItem') return itemWrite(request, operation, body);
    if (operation === 'GetItem') {
      const identity = identityOf(body.TableName, body.Key);
      if (identity !== undefined) {
        if (!pending.names(identity)) return read(request, operation, body);
        // After the pending writes of its item that came before it: each queued for all its items' locks as it
        // arrived (item-locks.ts), a batch's included; a transaction holds the store-wide lock exclusively.
        return itemLocks.with([identity], 'shared', () => lock.with('shared', () => read(request, operation, body)));
      }
    }
    if (readOperations.has(operation)) return lock.with('shared', () => read(request, operation, body));
    if (tableOperations.has(operation) && typeof body.TableName === 'string') {
      const tableName = body.TableName;
      // Every item is pending: no GetItem reads past a table being created, changed or deleted.
      return asPendingWrite(undefined, () =>
        lock.with('exclusive', async () => {
          tableChanges += 1;
          schemas.forget(tableName);
          return transport(request);
        }),
      );
    }
    return lock.with('shared', () => transport(request));
  };
}
