/**
 * The local DynamoDB keeps table descriptions between item operations
 * (local/dynamodb/table-description-cache.ts): a table deleted and created
 * again with another key schema is what the next item operation sees, and
 * the kept descriptions stay under their byte bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, waitUntilTableExists, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { cacheTableDescriptions, type DynaliteStore } from '../../local/dynamodb/table-description-cache.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';

const region = 'us-east-1';
const credentials: LocalCredentials = { accessKeyId: 'LKIADYNAMOTABLES001', secretAccessKey: 'dynamo-secret-0123456789abcdefghijklmnopq' };

describe('Function: cacheTableDescriptions, behind the local DynamoDB', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-tables-'));
  let dynamodb: LocalDynamoDb;
  let client: DynamoDBClient;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials, maxAttempts: 1 });
    documents = DynamoDBDocumentClient.from(client);
  });
  afterAll(async () => {
    documents.destroy();
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers item operations with the table as it is now, after it was deleted and created again with another key', async () => {
    // Prepare: a table keyed by pk alone, used once (its description is now kept).
    const TableName = 'recreated';
    // As on AWS, a table answers item operations once ACTIVE: dynalite makes it so just after CreateTable answers.
    const create = async (keys: string[]) => {
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
          KeySchema: keys.map((name, index) => ({ AttributeName: name, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName });
    };
    await create(['pk']);
    await documents.send(new PutCommand({ TableName, Item: { pk: 'a', note: 'first table' } }));
    expect((await documents.send(new GetCommand({ TableName, Key: { pk: 'a' } }))).Item?.note).toBe('first table');

    // Act: the same name, now keyed by pk and sk.
    // As on AWS, the name is in use (ResourceInUseException) until the table is gone: dynalite deletes it just after answering.
    await client.send(new DeleteTableCommand({ TableName }));
    await waitUntilTableNotExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName });
    await create(['pk', 'sk']);

    // Assess: a key without sk no longer matches the schema; one with it does.
    await expect(documents.send(new PutCommand({ TableName, Item: { pk: 'a', note: 'no sort key' } }))).rejects.toThrow(/key/i);
    await documents.send(new PutCommand({ TableName, Item: { pk: 'a', sk: 'b', note: 'second table' } }));
    expect((await documents.send(new GetCommand({ TableName, Key: { pk: 'a', sk: 'b' } }))).Item?.note).toBe('second table');
  });
});

describe('Function: cacheTableDescriptions, on a store', () => {
  /** A store whose getTable counts its reads of the "disk". */
  function fakeStore() {
    const disk = new Map<string, Record<string, unknown>>();
    const store: DynaliteStore & { reads: number; disk: typeof disk; slowWrites: boolean } = {
      reads: 0,
      disk,
      // A write that lands after a read started beside it has answered (LevelDB runs both on the thread pool).
      slowWrites: false,
      tableDb: {
        put: (key, value, callback) => {
          const land = () => {
            disk.set(key, value as Record<string, unknown>);
            callback?.();
          };
          if (store.slowWrites) setTimeout(land, 20);
          else land();
        },
        del: (key, callback) => {
          disk.delete(key);
          callback?.();
        },
        batch: (_operations, callback) => callback?.(),
      },
      getTable(name, checkStatus, callback) {
        const done = typeof checkStatus === 'function' ? checkStatus : callback!;
        store.reads += 1;
        const table = disk.get(name);
        setImmediate(() => (table ? done(null, structuredClone(table)) : done(Object.assign(new Error('NotFoundError'), { name: 'NotFoundError' }))));
      },
    };
    return store;
  }
  const read = (store: DynaliteStore, name: string) =>
    new Promise<Record<string, unknown> | undefined>((resolve) => store.getTable(name, (error, table) => resolve(error ? undefined : table)));

  const readForTableOperation = (store: DynaliteStore, name: string) =>
    new Promise<Record<string, unknown> | undefined>((resolve) => store.getTable(name, false, (error, table) => resolve(error ? undefined : table)));

  it('reads a description once, shares it frozen with item operations, gives table operations their own copy, and reads again after a table write', async () => {
    // Prepare
    const store = fakeStore();
    cacheTableDescriptions(store);
    store.tableDb.put('t', { TableName: 't', TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk' }] });

    // Act
    await read(store, 't');
    const forItems = await read(store, 't');
    const forUpdateTable = await readForTableOperation(store, 't');
    forUpdateTable!.TableStatus = 'UPDATING';
    const afterUpdateTable = await read(store, 't');
    store.tableDb.put('t', { TableName: 't', TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'id' }] });
    const afterWrite = await read(store, 't');

    // Assess: a caller cannot change the shared copy, at any depth; a table operation's copy is its own.
    expect(() => ((forItems as { TableStatus: string }).TableStatus = 'changed')).toThrow(TypeError);
    expect(() => ((forItems!.KeySchema as { AttributeName: string }[])[0].AttributeName = 'changed')).toThrow(TypeError);
    expect(afterUpdateTable).toEqual({ TableName: 't', TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk' }] });
    expect(afterWrite?.KeySchema).toEqual([{ AttributeName: 'id' }]);
    expect(store.reads).toBe(2);
  });

  it('keeps nothing read while a table write was landing', async () => {
    // Prepare
    const store = fakeStore();
    cacheTableDescriptions(store);
    store.tableDb.put('t', { TableName: 't', TableStatus: 'UPDATING' });

    // Act: UpdateTable's last step (ACTIVE) is under way when a read starts and answers with the old description
    store.slowWrites = true;
    const landed = new Promise<void>((resolve) => store.tableDb.put('t', { TableName: 't', TableStatus: 'ACTIVE' }, () => resolve()));
    const during = await read(store, 't');
    await landed;
    const after = await read(store, 't');

    // Assess
    expect(during?.TableStatus).toBe('UPDATING');
    expect(after?.TableStatus).toBe('ACTIVE');
  });

  it('keeps no CREATING table, nothing read across a table write, and no more than its byte bound', async () => {
    // Prepare: room for about two descriptions.
    const store = fakeStore();
    const description = (name: string) => ({ TableName: name, TableStatus: 'ACTIVE', padding: 'x'.repeat(400) });
    cacheTableDescriptions(store, 1000);
    store.tableDb.put('creating', { TableName: 'creating', TableStatus: 'CREATING' });
    for (const name of ['a', 'b', 'c']) store.tableDb.put(name, description(name));

    // Act: read each twice; a read of "raced" overtaken by a write of it.
    for (const name of ['creating', 'creating', 'a', 'b', 'c', 'c', 'b', 'a']) await read(store, name);
    store.tableDb.put('raced', description('raced'));
    const racing = read(store, 'raced');
    store.tableDb.put('raced', { ...description('raced'), padding: 'y' });
    await racing;
    await read(store, 'raced');

    // Assess: creating read twice; a, b, c once each and a again (the oldest, dropped for c); raced twice.
    expect(store.reads).toBe(2 + 3 + 1 + 2);
  });
});
