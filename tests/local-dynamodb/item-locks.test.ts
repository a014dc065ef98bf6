/**
 * Writes of different items run side by side in the local DynamoDB's store
 * layer (local/dynamodb/store-transport.ts with item-locks.ts), as on
 * DynamoDB; two writes of one item still run one after the other, and a
 * transaction still keeps every single write out. Driven through the store
 * layer over a dynalite stand-in with no locking of its own (so only the
 * store layer orders anything), whose writes can be held by the test.
 */
import { describe, expect, it } from 'vitest';
import type { DynamoDbHttpRequest, DynamoDbHttpResponse } from '../../local/dynamodb/in-process.ts';
import { ItemLocks } from '../../local/dynamodb/item-locks.ts';
import { ReadWriteLock } from '../../local/dynamodb/rw-lock.ts';
import { storeTransport } from '../../local/dynamodb/store-transport.ts';
import { key, ok, request } from './store-wire.ts';

type Item = Record<string, Record<string, unknown>>;

const conditionFailed: DynamoDbHttpResponse = {
  statusCode: 400,
  headers: {},
  body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }),
};

/**
 * A dynalite stand-in: one table keyed by pk (or the key a CreateTable
 * names), in memory. A PutItem reads the item, checks an
 * `attribute_not_exists(…)` condition if asked, then (when the test holds
 * writes of that key) waits before it writes; UpdateItem sets `n`. Nothing
 * keeps two writes of one item apart here.
 */
function fakeDynalite() {
  const items = new Map<string, Item>();
  const holds = new Map<string, { held: Promise<void>; release: () => void }>();
  const entered: string[] = [];
  let keyName = 'pk';
  const transport = async (incoming: DynamoDbHttpRequest): Promise<DynamoDbHttpResponse> => {
    const operation = incoming.headers['x-amz-target']!.split('.')[1];
    const body = JSON.parse(incoming.body) as { Key?: Item; Item?: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item; ReturnValues?: string; KeySchema?: { AttributeName: string }[] };
    if (operation === 'BatchWriteItem') {
      const requests = (JSON.parse(incoming.body) as { RequestItems: { t: { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[] } }).RequestItems.t;
      for (const each of requests) {
        const pk = String((each.PutRequest?.Item ?? each.DeleteRequest?.Key)?.[keyName]?.S);
        entered.push(`${operation} ${pk}`);
        await holds.get(pk)?.held;
        if (each.PutRequest) items.set(pk, each.PutRequest.Item);
        else items.delete(pk);
      }
      return ok({ UnprocessedItems: {} });
    }
    if (operation === 'DescribeTable') return ok({ Table: { TableName: 't', KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }] } });
    if (operation === 'DeleteTable') {
      items.clear();
      return ok({});
    }
    if (operation === 'CreateTable') {
      keyName = body.KeySchema![0].AttributeName;
      return ok({});
    }
    const pk = String((body.Item ?? body.Key)?.[keyName]?.S);
    const old = items.get(pk);
    if (operation === 'GetItem') return ok({ ...(old ? { Item: old } : {}), ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } });
    entered.push(`${operation} ${pk}`);
    if (body.ConditionExpression?.startsWith('attribute_not_exists(') && old) return conditionFailed;
    await holds.get(pk)?.held;
    const next = operation === 'PutItem' ? body.Item! : { ...(old ?? body.Key!), n: body.ExpressionAttributeValues?.[':n'] ?? { N: '0' } };
    items.set(pk, next);
    const answer = body.ReturnValues === 'ALL_NEW' ? next : body.ReturnValues === 'ALL_OLD' ? old : undefined;
    return ok(answer ? { Attributes: answer } : {});
  };
  /** Holds every write of `pk` (once past its condition) until the returned release. */
  const hold = (pk: string) => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    holds.set(pk, { held, release });
    return () => {
      holds.delete(pk);
      release();
    };
  };
  return { transport, hold, items, entered };
}

/** Whether the promise has settled once the event loop has had a few turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const exception = (response: DynamoDbHttpResponse) => (JSON.parse(response.body) as { __type?: string }).__type?.split('#')[1];

/** The store over a stand-in whose table was described by a first write (so later writes can name their items). */
async function describedStore() {
  const dynalite = fakeDynalite();
  const store = storeTransport(dynalite.transport);
  await store(request('PutItem', { TableName: 't', Item: key('first') }));
  return { dynalite, store };
}

describe('Function: storeTransport, writes of different items and of one item', () => {
  it('finishes a write of one item while a write of another is held inside dynalite', async () => {
    // Prepare: the image's terminal status (an UpdateItem) held inside dynalite
    const { dynalite, store } = await describedStore();
    const release = dynalite.hold('image');
    const update = store(request('UpdateItem', { TableName: 't', Key: key('image'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '1' } } }));

    // Act: its detection (a PutItem of another item), and a batch of two more
    const put = store(request('PutItem', { TableName: 't', Item: { ...key('detection'), n: { N: '2' } } }));
    const batch = store(request('BatchWriteItem', { RequestItems: { t: [{ PutRequest: { Item: key('x') } }, { DeleteRequest: { Key: key('y') } }] } }));

    // Assess
    expect(await settled(put)).toBe(true);
    expect(await settled(batch)).toBe(true);
    expect(await settled(update)).toBe(false);
    expect(dynalite.items.get('detection')).toEqual({ ...key('detection'), n: { N: '2' } });
    release();
    expect((await update).statusCode).toBe(200);
    expect(dynalite.items.get('image')).toEqual({ ...key('image'), n: { N: '1' } });
  });

  it('runs two conditional writes of one item one after the other: the first creates it, the second finds it there', async () => {
    // Prepare
    const { dynalite, store } = await describedStore();
    const release = dynalite.hold('same');
    const create = (n: string) => request('PutItem', { TableName: 't', Item: { ...key('same'), n: { N: n } }, ConditionExpression: 'attribute_not_exists(pk)' });
    const first = store(create('1'));

    // Act
    const second = store(create('2'));

    // Assess: the second has not reached dynalite while the first is held there
    expect(await settled(second)).toBe(false);
    expect(dynalite.entered.filter((entry) => entry === 'PutItem same')).toHaveLength(1);
    release();
    expect((await first).statusCode).toBe(200);
    expect(exception(await second)).toBe('ConditionalCheckFailedException');
    expect(dynalite.items.get('same')).toEqual({ ...key('same'), n: { N: '1' } });
  });

  it('runs a write whose table changed keys after it named its items one after another write of its item under the new key, and before a GetItem of it', async () => {
    // Prepare: a write holding the table, then the table deleted and created again keyed by id, queued behind it
    const { dynalite, store } = await describedStore();
    const releaseOther = dynalite.hold('z');
    const other = store(request('PutItem', { TableName: 't', Item: key('z') }));
    const deleted = store(request('DeleteTable', { TableName: 't' }));
    const created = store(request('CreateTable', { TableName: 't', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    // Two items under pk, named as they arrive, one item under id
    const create = (pk: string, n: string) =>
      request('PutItem', { TableName: 't', Item: { ...key(pk), id: { S: 'k' }, n: { N: n } }, ConditionExpression: 'attribute_not_exists(id)' });
    const first = store(create('a', '1'));
    const second = store(create('b', '2'));
    const release = dynalite.hold('k');

    // Act
    releaseOther();
    await Promise.all([other, deleted, created]);
    // The first write is in dynalite (so it counts as naming every item) before the read is sent, however many
    // promise steps each side takes to get there.
    expect(await settled(first)).toBe(false);
    expect(dynalite.entered).toContain('PutItem k');

    const read = store(request('GetItem', { TableName: 't', Key: { id: { S: 'k' } } }));

    // Assess: the second write and a GetItem of the item under its new key wait for the first
    expect(await settled(second)).toBe(false);
    expect(await settled(read)).toBe(false);
    expect(dynalite.entered.filter((entry) => entry === 'PutItem k')).toHaveLength(1);
    release();
    expect((await first).statusCode).toBe(200);
    expect(exception(await second)).toBe('ConditionalCheckFailedException');
    expect((JSON.parse((await read).body) as { Item?: Item }).Item).toEqual({ ...key('a'), id: { S: 'k' }, n: { N: '1' } });
  });

  it('settles two batches naming two items in opposite orders once a write of one of them ends', async () => {
    // Prepare: a write of c held inside dynalite
    const { dynalite, store } = await describedStore();
    const release = dynalite.hold('c');
    const write = store(request('PutItem', { TableName: 't', Item: key('c') }));
    const batch = (...pks: string[]) => request('BatchWriteItem', { RequestItems: { t: pks.map((pk) => ({ PutRequest: { Item: { ...key(pk), n: { N: '1' } } } })) } });

    // Act: one batch names [c, a], the other [a, c]
    const first = store(batch('c', 'a'));
    const second = store(batch('a', 'c'));
    release();

    // Assess: neither waits for the other in a circle
    expect(await settled(Promise.all([write, first, second]))).toBe(true);
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
  });

  it('makes a GetItem sent after a batch wait for the batch\'s write of its item, even the batch\'s later item', async () => {
    // Prepare: a write of a held inside dynalite, then a batch writing a and b
    const { dynalite, store } = await describedStore();
    await store(request('PutItem', { TableName: 't', Item: { ...key('b'), n: { N: '0' } } }));
    const release = dynalite.hold('a');
    const write = store(request('PutItem', { TableName: 't', Item: key('a') }));
    const batch = store(request('BatchWriteItem', { RequestItems: { t: [{ PutRequest: { Item: key('a') } }, { PutRequest: { Item: { ...key('b'), n: { N: '1' } } } }] } }));

    // Act
    const read = store(request('GetItem', { TableName: 't', Key: key('b') }));

    // Assess: the read waits for the batch, and sees its b
    expect(await settled(read)).toBe(false);
    release();
    await Promise.all([write, batch]);
    expect((JSON.parse((await read).body) as { Item?: Item }).Item).toEqual({ ...key('b'), n: { N: '1' } });
  });

  it('runs a write keyed by a lone surrogate alone: dynalite stores "\\ud800" and "\\ufffd" as one item', async () => {
    // Prepare: a write keyed by a lone surrogate held inside dynalite
    const { dynalite, store } = await describedStore();
    const release = dynalite.hold('\ud800');
    const lone = store(request('PutItem', { TableName: 't', Item: key('\ud800') }));

    // Act: a write keyed by the replacement character
    const replacement = store(request('PutItem', { TableName: 't', Item: key('\ufffd') }));

    // Assess
    expect(await settled(replacement)).toBe(false);
    release();
    expect((await lone).statusCode).toBe(200);
    expect((await replacement).statusCode).toBe(200);
  });

  it('keeps a single write of another item out while a transaction is under way', async () => {
    // Prepare: a transaction whose Put of "a" is held inside dynalite
    const { dynalite, store } = await describedStore();
    const release = dynalite.hold('a');
    const transaction = store(request('TransactWriteItems', { TransactItems: [{ Put: { TableName: 't', Item: key('a') } }, { Put: { TableName: 't', Item: key('b') } }] }));

    // Act
    const single = store(request('PutItem', { TableName: 't', Item: key('c') }));

    // Assess
    expect(await settled(single)).toBe(false);
    expect(dynalite.items.has('c')).toBe(false);
    release();
    expect((await transaction).statusCode).toBe(200);
    expect((await single).statusCode).toBe(200);
    expect(dynalite.items.has('c')).toBe(true);
  });
});

describe('Class: ItemLocks', () => {
  it('keeps a lock only while a request holds or waits for it', async () => {
    // Prepare
    const locks = new ItemLocks();
    let finish: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (finish = resolve));

    // Act
    const holder = locks.with(['a', 'b', 'a'], 'exclusive', () => held);
    const waiter = locks.with(['b', 'c'], 'shared', async () => undefined);
    const during = locks.size;
    finish();
    await Promise.all([holder, waiter]);

    // Assess
    expect(during).toBe(3);
    expect(locks.size).toBe(0);
  });
});

describe('Class: ReadWriteLock', () => {
  it('refuses a release it does not hold, in either mode, and keeps its holders as they were', async () => {
    // Prepare
    const lock = new ReadWriteLock();
    await lock.acquire('shared');

    // Act / Assess
    expect(() => lock.release('exclusive')).toThrow(/without holding it/);
    lock.release('shared');
    expect(() => lock.release('shared')).toThrow(/without holding it/);
    await lock.acquire('exclusive');
    expect(await settled(lock.acquire('shared'))).toBe(false);
  });
});
