/**
 * A GetItem does not queue behind writes of other items (local/dynamodb/
 * store-transport.ts with pending-writes.ts), and still waits for a write of
 * its own item or of a table: driven through the store layer over a fake
 * dynalite whose UpdateItem of one item holds until the test lets it go.
 */
import { describe, expect, it } from 'vitest';
import type { DynamoDbHttpRequest, DynamoDbHttpResponse } from '../../local/dynamodb/in-process.ts';
import { storeTransport } from '../../local/dynamodb/store-transport.ts';
import { key, ok, request } from './store-wire.ts';


/** A dynalite stand-in: one table keyed by pk; UpdateItem and DeleteTable hold until released. */
function fakeDynalite() {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const transport = async (incoming: DynamoDbHttpRequest): Promise<DynamoDbHttpResponse> => {
    const operation = incoming.headers['x-amz-target']!.split('.')[1];
    const body = JSON.parse(incoming.body) as { Key?: unknown };
    if (operation === 'DescribeTable') return ok({ Table: { TableName: 't', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } });
    if (operation === 'GetItem') return ok({ Item: body.Key, ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } });
    if (operation === 'UpdateItem' || operation === 'DeleteTable') await held;
    return ok({ Attributes: body.Key });
  };
  return { transport, release };
}

/** Whether the promise has settled once the event loop has had a few turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('Function: storeTransport, GetItem beside pending writes', () => {
  it('reads an item no pending write names while a write of another item holds the lock, and waits for a write of its own', async () => {
    // Prepare: the table described (by a first write), then an update of "busy" holding the lock
    const dynalite = fakeDynalite();
    const store = storeTransport(dynalite.transport);
    await store(request('PutItem', { TableName: 't', Item: { ...key('first'), n: { N: '1' } } }));
    const update = store(request('UpdateItem', { TableName: 't', Key: key('busy'), UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } }));

    // Act
    const other = store(request('GetItem', { TableName: 't', Key: key('other') }));
    const same = store(request('GetItem', { TableName: 't', Key: key('busy') }));

    // Assess
    expect(await settled(other)).toBe(true);
    expect(await settled(same)).toBe(false);
    dynalite.release();
    await update;
    expect(await settled(same)).toBe(true);
  });

  it('makes every GetItem wait while a table operation is pending', async () => {
    // Prepare
    const dynalite = fakeDynalite();
    const store = storeTransport(dynalite.transport);
    await store(request('PutItem', { TableName: 't', Item: key('first') }));
    const deleteTable = store(request('DeleteTable', { TableName: 't' }));

    // Act
    const read = store(request('GetItem', { TableName: 't', Key: key('first') }));

    // Assess
    expect(await settled(read)).toBe(false);
    dynalite.release();
    await deleteTable;
    expect(await settled(read)).toBe(true);
  });
});
