/**
 * The local DynamoDB's meter: item sizes, table and index write units as
 * DynamoDB bills them (pure functions), and the meter fed by real writes
 * through the local DynamoDB (a put, an update that changes nothing
 * projected, a transaction billed twice; puts and deletes over an item,
 * failed conditions, updates that grow and shrink an item, and the old or
 * new item returned only to who asked for it; writes sent at once, of one
 * item and of many).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitingRecovery } from '../../api/table.ts';
import { itemBytes } from '../../local/dynamodb/item-size.ts';
import { ensureImagesTable, startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { indexWriteUnits, tableWriteUnits } from '../../local/dynamodb/metering.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';

const keysOnly = { name: 'byStatus', keyNames: ['status', 'createdAt'], projectionType: 'KEYS_ONLY', nonKeyAttributes: [] };
const s = (value: string) => ({ S: value });

describe('Function: itemBytes', () => {
  it('counts names and values as DynamoDB does', () => {
    expect(itemBytes({ pk: s('IMAGE#1') })).toBe(2 + 7);
    expect(itemBytes({ n: { N: '123.45' } })).toBe(1 + 4);
    expect(itemBytes({ l: { L: [s('ab'), { BOOL: true }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemBytes({ m: { M: { k: s('v') } } })).toBe(1 + 3 + 1 + 1 + 1);
  });
});

describe('Function: tableWriteUnits and indexWriteUnits', () => {
  const small = { pk: s('a'), sk: s('b'), status: s('PENDING'), createdAt: s('t1') };
  const big = { ...small, blob: s('x'.repeat(3000)) };

  it('bills the larger of before and after, per KB, twice in a transaction', () => {
    expect(tableWriteUnits({ tableName: 't', before: small, after: big, transactional: false, conditionFailed: false })).toBe(3);
    expect(tableWriteUnits({ tableName: 't', before: big, after: small, transactional: true, conditionFailed: false })).toBe(6);
    expect(tableWriteUnits({ tableName: 't', before: undefined, after: undefined, transactional: false, conditionFailed: true })).toBe(1);
  });

  it('writes an index only when its projection changes: entering, leaving, a new key, or nothing', () => {
    expect(indexWriteUnits(undefined, small, keysOnly, ['pk', 'sk'])).toBe(1);
    expect(indexWriteUnits(small, big, keysOnly, ['pk', 'sk'])).toBe(0);
    expect(indexWriteUnits(small, { ...small, status: s('LABELED') }, keysOnly, ['pk', 'sk'])).toBe(2);
    const { status: _status, ...unindexed } = small;
    expect(indexWriteUnits(small, unindexed, keysOnly, ['pk', 'sk'])).toBe(1);
    expect(indexWriteUnits(unindexed, unindexed, keysOnly, ['pk', 'sk'])).toBe(0);
  });
});

describe('Class: DynamoDbMeter, fed by the local DynamoDB', () => {
  const region = 'us-east-1';
  const TableName = 'labelcast-images';
  const credentials: LocalCredentials = { accessKeyId: 'LKIADYNAMOMETER0001', secretAccessKey: 'dynamo-secret-0123456789abcdefghijklmnopq' };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-meter-'));
  let dynamodb: LocalDynamoDb;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName: TableName, region, credentials });
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials }));
  });
  afterAll(async () => {
    documents.destroy();
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts table and index write units and bytes of real writes', async () => {
    // Prepare
    dynamodb.meter.reset();
    const item = { pk: 'IMAGE#m1', sk: 'IMAGE', id: 'm1', ...awaitingRecovery(), createdAt: '2026-01-01T00:00:00.000Z', note: 'y'.repeat(1500) };

    // Act: a put (table 2 KB, into byStatus), a change to nothing but `note`, then a transaction
    await documents.send(new PutCommand({ TableName, Item: item }));
    await documents.send(new UpdateCommand({ TableName, Key: { pk: item.pk, sk: item.sk }, UpdateExpression: 'SET note = :short', ExpressionAttributeValues: { ':short': 'z' } }));
    await documents.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: 'CATALOG#x', sk: 'LABEL#cat', imageCount: 1 } } }] }));
    const usage = dynamodb.meter.usage().tables[TableName];

    // Assess: 2 + 2 (larger of before/after) + 2×1 (transactional); byStatus holds keys, id and contentType: 1 (enters), 0 (note is not projected)
    expect(usage.writeUnits).toBe(6);
    expect(usage.indexes.byStatus.writeUnits).toBe(1);
    expect(usage.indexes.byLabel?.writeUnits ?? 0).toBe(0);
    expect(usage.writes).toBe(3);
    expect(usage.storedBytes).toBeGreaterThan(200);
  });

  it('bills a put over an item, a failed condition and a delete on the item before, and returns it only when asked', async () => {
    // Prepare: a 2 KB image in byStatus, then metering from zero.
    const key = { pk: 'IMAGE#m2', sk: 'IMAGE' };
    const big = { ...key, id: 'm2', ...awaitingRecovery(), createdAt: '2026-01-01T00:00:00.000Z', note: 'y'.repeat(1500) };
    const small = { ...key, id: 'm2', createdAt: '2026-01-01T00:00:00.000Z' };
    await documents.send(new PutCommand({ TableName, Item: big }));
    dynamodb.meter.reset();

    // Act: a put of a small item over it (leaves byStatus), a put refused by its condition, a delete asking for the old item.
    const replaced = await documents.send(new PutCommand({ TableName, Item: small }));
    const refused = documents.send(new PutCommand({ TableName, Item: big, ConditionExpression: 'attribute_not_exists(pk)' }));
    await expect(refused).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const deleted = await documents.send(new DeleteCommand({ TableName, Key: key, ReturnValues: 'ALL_OLD' }));
    const usage = dynamodb.meter.usage().tables[TableName];

    // Assess: 2 (larger of before/after) + 1 (the item's size, refused) + 1 (the small item deleted); byStatus: 1 (leaves).
    expect(usage.writeUnits).toBe(4);
    expect(usage.indexes.byStatus.writeUnits).toBe(1);
    expect(usage.writes).toBe(3);
    expect(usage.storedBytes).toBe(-(itemBytes({ pk: s(big.pk), sk: s(big.sk), id: s(big.id), recoveryStatus: s('PENDING'), createdAt: s(big.createdAt), note: s(big.note) }) + 100));
    expect(replaced.Attributes).toBeUndefined();
    expect(deleted.Attributes).toEqual(small);
  });

  it('bills an update on the larger of the item before and after, and returns attributes only as asked', async () => {
    // Prepare: a small image outside byStatus, then metering from zero.
    const key = { pk: 'IMAGE#m3', sk: 'IMAGE' };
    const small = { ...key, id: 'm3', createdAt: '2026-01-01T00:00:00.000Z' };
    const statusName = Object.keys(awaitingRecovery())[0];
    await documents.send(new PutCommand({ TableName, Item: small }));
    dynamodb.meter.reset();

    // Act: an update that grows it past 1 KB, one that puts it in byStatus asking for the new item, one that shrinks it asking for the old note.
    const grown = await documents.send(new UpdateCommand({ TableName, Key: key, UpdateExpression: 'SET note = :long', ExpressionAttributeValues: { ':long': 'y'.repeat(1500) } }));
    const pending = await documents.send(
      new UpdateCommand({ TableName, Key: key, UpdateExpression: 'SET #status = :pending', ExpressionAttributeNames: { '#status': statusName }, ExpressionAttributeValues: { ':pending': 'PENDING' }, ReturnValues: 'ALL_NEW' }),
    );
    const shrunk = await documents.send(new UpdateCommand({ TableName, Key: key, UpdateExpression: 'REMOVE note', ReturnValues: 'UPDATED_OLD' }));
    const usage = dynamodb.meter.usage().tables[TableName];

    // Assess: 2 (after is larger) + 2 + 2 (before is larger); byStatus: 1 (enters).
    expect(usage.writeUnits).toBe(6);
    expect(usage.indexes.byStatus.writeUnits).toBe(1);
    expect(usage.writes).toBe(3);
    expect(grown.Attributes).toBeUndefined();
    expect(pending.Attributes).toEqual({ ...small, note: 'y'.repeat(1500), ...awaitingRecovery() });
    expect(shrunk.Attributes).toEqual({ note: 'y'.repeat(1500) });
  });

  it('bills a transaction on each item before and after it: an update that grows one, a delete, a condition check', async () => {
    // Prepare: a small item to grow, a 2 KB one to delete, one to check; then metering from zero.
    const grown = { pk: 'IMAGE#m4', sk: 'IMAGE' };
    const deleted = { pk: 'IMAGE#m5', sk: 'IMAGE' };
    const checked = { pk: 'IMAGE#m6', sk: 'IMAGE' };
    await documents.send(new PutCommand({ TableName, Item: { ...grown, note: 'small' } }));
    await documents.send(new PutCommand({ TableName, Item: { ...deleted, note: 'y'.repeat(1500) } }));
    await documents.send(new PutCommand({ TableName, Item: { ...checked, note: 'small' } }));
    dynamodb.meter.reset();

    // Act
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName, Key: grown, UpdateExpression: 'SET note = :big', ExpressionAttributeValues: { ':big': 'z'.repeat(2500) } } },
          { Delete: { TableName, Key: deleted } },
          { ConditionCheck: { TableName, Key: checked, ConditionExpression: 'attribute_exists(pk)' } },
        ],
      }),
    );
    const usage = dynamodb.meter.usage().tables[TableName];

    // Assess: twice (transactional) 3 (grown to ~2.5 KB), 2 (the 2 KB item deleted), 1 (checked, unchanged)
    expect(usage.writeUnits).toBe(2 * 3 + 2 * 2 + 2 * 1);
    expect(usage.writes).toBe(3);
    expect(usage.storedBytes).toBeGreaterThan(2500 - 5 - 1500 - 100 - 50);
    expect(usage.storedBytes).toBeLessThan(2500 - 5 - 1500 - 100 + 50);
  });

  it('bills writes sent at once exactly: updates of one item, puts of others, two batches sharing an item', async () => {
    // Prepare: a counter outside byStatus, then metering from zero.
    const counter = { pk: 'IMAGE#m7', sk: 'IMAGE' };
    await documents.send(new PutCommand({ TableName, Item: { ...counter, c: 0 } }));
    dynamodb.meter.reset();
    const indexed = (pk: string) => ({ pk, sk: 'IMAGE', id: pk, ...awaitingRecovery(), createdAt: '2026-01-01T00:00:00.000Z' });
    const batch = (pks: string[]) => new BatchWriteCommand({ RequestItems: { [TableName]: pks.map((pk) => ({ PutRequest: { Item: indexed(pk) } })) } });

    // Act: 10 increments of the counter, 10 puts of other items, 2 batches both putting IMAGE#b2 (the same item twice)
    const range = [...Array(10).keys()];
    await Promise.all([
      ...range.map(() => documents.send(new UpdateCommand({ TableName, Key: counter, UpdateExpression: 'ADD c :one', ExpressionAttributeValues: { ':one': 1 } }))),
      ...range.map((n) => documents.send(new PutCommand({ TableName, Item: indexed(`IMAGE#p${n}`) }))),
      documents.send(batch(['IMAGE#b0', 'IMAGE#b1', 'IMAGE#b2'])),
      documents.send(batch(['IMAGE#b2', 'IMAGE#b3', 'IMAGE#b4'])),
    ]);
    const usage = dynamodb.meter.usage().tables[TableName];
    const read = await documents.send(new GetCommand({ TableName, Key: counter }));

    // Assess: every item write is under 1 KB (1 unit each); byStatus: each of 15 items enters once, b2's second put changes nothing there.
    expect(read.Item?.c).toBe(10);
    expect(usage.writes).toBe(10 + 10 + 6);
    expect(usage.writeUnits).toBe(10 + 10 + 6);
    expect(usage.indexes.byStatus.writeUnits).toBe(10 + 5);
    expect(usage.indexes.byStatus.storedBytes).toBe(15 * (itemBytes({ pk: s('IMAGE#p0'), sk: s('IMAGE'), id: s('IMAGE#p0'), recoveryStatus: s('PENDING'), createdAt: s('2026-01-01T00:00:00.000Z') }) + 100));
  });
});
