/**
 * Query and Scan pages read in one call (local/dynamodb/query-pages.ts):
 * the range and page-limit logic on its own, and every answer, byte for
 * byte, against dynalite's own queryTable on the same store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { maxPageBytes, PageReader, prefixedRange, subDatabasePrefix } from '../../local/dynamodb/query-pages.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { signedDynamoDbRequest } from './dynamodb-signing.ts';

describe('Function: prefixedRange', () => {
  it('prefixes each bound dynalite set, as its sub-database wrapper does', () => {
    expect(prefixedRange('item-t~', { gte: 'a/', lt: 'a/~', reverse: true, limit: 21 })).toEqual({ gte: 'item-t~a/', lt: 'item-t~a/~', reverse: true, limit: 21 });
    expect(prefixedRange('item-t~', { gt: 'b', lte: 'c~' })).toEqual({ gt: 'item-t~b', lte: 'item-t~c~' });
  });

  it('bounds a missing side by the sub-database itself', () => {
    expect(prefixedRange('index-global~t~i~', { limit: -1 })).toEqual({ gte: 'index-global~t~i~', lt: 'index-global~t~i~\xFF', limit: -1 });
    expect(prefixedRange('item-t~', { gt: '', lt: 'x' })).toEqual({ gte: 'item-t~', lt: 'item-t~x' });
  });
});

describe('Function: subDatabasePrefix', () => {
  it('names the table items, a global index and a local index as dynalite keeps them', () => {
    expect(subDatabasePrefix('images')).toBe('item-images~');
    expect(subDatabasePrefix('images', { name: 'byOwner', isLocal: false })).toBe('index-global~images~byOwner~');
    expect(subDatabasePrefix('images', { name: 'byRank', isLocal: true })).toBe('index-local~images~byRank~');
  });
});

describe('Class: PageReader', () => {
  it('takes items up to Limit, then is full', () => {
    // Prepare
    const reader = new PageReader({ limit: 2, pageBytesOf: () => 10 });

    // Act
    const taken = [{ n: 1 }, { n: 2 }, { n: 3 }].map((item) => reader.take(item));

    // Assess
    expect(taken).toEqual([true, true, false]);
    expect(reader).toMatchObject({ count: 2, bytes: 20, full: true, items: [{ n: 1 }, { n: 2 }] });
  });

  it('takes the item that crosses 1 MB and none after it', () => {
    // Prepare
    const reader = new PageReader({ pageBytesOf: () => 400 * 1024 });

    // Act
    const taken = [1, 2, 3, 4].map((n) => reader.take({ n }));

    // Assess
    expect(taken).toEqual([true, true, true, false]);
    expect(reader.bytes).toBeGreaterThanOrEqual(maxPageBytes);
  });

  it('is never full without a Limit below 1 MB', () => {
    const reader = new PageReader({ pageBytesOf: () => 1 });
    for (let n = 0; n < 5000; n += 1) reader.take({ n });
    expect(reader).toMatchObject({ count: 5000, full: false });
  });
});

const region = 'us-east-1';
const credentials: LocalCredentials = { accessKeyId: 'LKIADYNAMOPAGES0001', secretAccessKey: 'dynamo-secret-0123456789abcdefghijklmnopq' };
const TableName = 'pages';

type Json = Record<string, unknown>;
type QueryTable = ((...args: unknown[]) => void) & { dynalite?: (...args: unknown[]) => void };

describe('Function: readPagesInOneCall, against dynalite on the same store', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-pages-'));
  // dynalite's db module, where the local DynamoDB put the one-call reader (keeping dynalite's own beside it).
  const dynaliteDb = createRequire(import.meta.url)('dynalite/db') as { queryTable: QueryTable };
  let dynamodb: LocalDynamoDb;

  const send = async (operation: string, input: Json) => {
    const response = await dynamodb.transport(await signedDynamoDbRequest(dynamodb.endpoint, operation, input, { region, credentials }));
    return { status: response.statusCode, crc32: response.headers['x-amz-crc32'], body: response.body };
  };

  /** The answers of dynalite's queryTable and of ours to the same request. */
  async function bothAnswers(operation: string, input: Json) {
    const ours = dynaliteDb.queryTable;
    dynaliteDb.queryTable = ours.dynalite!;
    let theirs: Awaited<ReturnType<typeof send>>;
    try {
      theirs = await send(operation, input);
    } finally {
      dynaliteDb.queryTable = ours;
    }
    return { theirs, ours: await send(operation, input) };
  }

  /** Every page of `input`, each answered alike by both; how many pages and items. */
  async function pagesAlike(operation: 'Query' | 'Scan', input: Json): Promise<{ pages: number; items: number }> {
    let startKey: unknown;
    let pages = 0;
    let items = 0;
    do {
      const { theirs, ours } = await bothAnswers(operation, startKey === undefined ? input : { ...input, ExclusiveStartKey: startKey });
      expect(ours, `${operation} ${JSON.stringify(input)} page ${pages + 1}`).toEqual(theirs);
      expect(ours.status, ours.body).toBe(200);
      const page = JSON.parse(ours.body) as { LastEvaluatedKey?: unknown; Count: number };
      startKey = page.LastEvaluatedKey;
      pages += 1;
      items += page.Count;
    } while (startKey !== undefined && pages < 200);
    return { pages, items };
  }

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    const key = (name: string, type: 'S' | 'N') => ({ AttributeName: name, AttributeType: type });
    await send('CreateTable', {
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [key('pk', 'S'), key('sk', 'S'), key('rank', 'N'), key('group', 'S')],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byRank',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'rank', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['note'] },
        },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byGroup',
          KeySchema: [
            { AttributeName: 'group', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byGroupRank',
          KeySchema: [
            { AttributeName: 'group', KeyType: 'HASH' },
            { AttributeName: 'rank', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
    // The local DynamoDB makes a table ACTIVE at once, but after CreateTable has answered.
    while (!(await send('DescribeTable', { TableName })).body.includes('"TableStatus":"ACTIVE"')) await new Promise((resolve) => setTimeout(resolve, 10));
    // Four small partitions, and one of 45 items of 30 KB (over 1 MB).
    const items: Json[] = [];
    for (const pk of ['p0', 'p1', 'p2', 'p3']) {
      for (let index = 0; index < 60; index += 1) {
        items.push({
          pk: { S: pk },
          sk: { S: `item#${String(index).padStart(3, '0')}` },
          rank: { N: String(index % 17) },
          group: { S: `g${index % 3}` },
          note: { S: `note ${index}` },
          tags: { SS: [`t${index % 4}`, 'all'] },
          ...(index % 5 === 0 ? {} : { extra: { M: { depth: { L: [{ N: String(index) }, { BOOL: index % 2 === 0 }] } } } }),
        });
      }
    }
    for (let index = 0; index < 45; index += 1) {
      items.push({ pk: { S: 'big' }, sk: { S: `blob#${String(index).padStart(2, '0')}` }, rank: { N: String(index) }, group: { S: 'g9' }, blob: { S: 'x'.repeat(30_000) } });
    }
    for (let from = 0; from < items.length; from += 25) {
      const answer = await send('BatchWriteItem', { RequestItems: { [TableName]: items.slice(from, from + 25).map((Item) => ({ PutRequest: { Item } })) } });
      if (answer.status !== 200) throw new Error(answer.body);
    }
  });
  afterAll(async () => {
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const partition = (pk: string) => ({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } });

  it('pages a partition alike, forward and backward, with and without Limit, to its last page', async () => {
    expect(await pagesAlike('Query', { TableName, ...partition('p0') })).toEqual({ pages: 1, items: 60 });
    expect(await pagesAlike('Query', { TableName, ...partition('p0'), Limit: 7 })).toEqual({ pages: 9, items: 60 });
    expect(await pagesAlike('Query', { TableName, ...partition('p0'), Limit: 7, ScanIndexForward: false })).toEqual({ pages: 9, items: 60 });
    // Limit equal to what is there: a LastEvaluatedKey all the same, then an empty page.
    expect(await pagesAlike('Query', { TableName, ...partition('p3'), Limit: 60 })).toEqual({ pages: 2, items: 60 });
    expect(await pagesAlike('Query', { TableName, ...partition('nothing here'), Limit: 5 })).toEqual({ pages: 1, items: 0 });
  });

  it('answers sort key conditions, filters, projections, COUNT and consumed capacity alike', async () => {
    const values = (more: Json) => ({ ':pk': { S: 'p1' }, ...more });
    const inputs: Json[] = [
      { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: values({ ':prefix': { S: 'item#00' } }), Limit: 3 },
      {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: values({ ':from': { S: 'item#010' }, ':to': { S: 'item#030' }, ':rank': { N: '5' } }),
        FilterExpression: '#rank > :rank',
        ProjectionExpression: 'sk, #rank, extra.#depth[1]',
        ExpressionAttributeNames: { '#rank': 'rank', '#depth': 'depth' },
        ScanIndexForward: false,
        Limit: 4,
        ReturnConsumedCapacity: 'INDEXES',
      },
      { KeyConditionExpression: 'pk = :pk AND sk > :after', ExpressionAttributeValues: values({ ':after': { S: 'item#050' } }), Select: 'COUNT', ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true },
      { KeyConditionExpression: 'pk = :pk AND sk <= :upTo', ExpressionAttributeValues: values({ ':upTo': { S: 'item#005' } }), ScanIndexForward: false, Limit: 2 },
      { KeyConditionExpression: 'pk = :pk AND sk < :before', ExpressionAttributeValues: values({ ':before': { S: 'item#003' } }) },
      { KeyConditionExpression: 'pk = :pk AND sk >= :from', ExpressionAttributeValues: values({ ':from': { S: 'item#057' } }), Limit: 2 },
      { KeyConditionExpression: 'pk = :pk AND sk = :one', ExpressionAttributeValues: values({ ':one': { S: 'item#007' } }), ReturnConsumedCapacity: 'INDEXES' },
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: values({ ':tag': { S: 't1' } }), FilterExpression: 'contains(tags, :tag) AND attribute_exists(extra)', Limit: 11 },
    ];
    for (const input of inputs) await pagesAlike('Query', { TableName, ...input });
    // The older API's conditions.
    await pagesAlike('Query', {
      TableName,
      KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'p2' }] } },
      QueryFilter: { rank: { ComparisonOperator: 'LT', AttributeValueList: [{ N: '4' }] } },
      AttributesToGet: ['sk', 'rank'],
      Limit: 9,
    });
  });

  it('queries local and global indexes alike, the local one also when it fetches from the table', async () => {
    const rank = { KeyConditionExpression: 'pk = :pk AND #rank BETWEEN :low AND :high', ExpressionAttributeNames: { '#rank': 'rank' } };
    const ranks = { ':pk': { S: 'p0' }, ':low': { N: '3' }, ':high': { N: '9' } };
    await pagesAlike('Query', { TableName, IndexName: 'byRank', ...rank, ExpressionAttributeValues: ranks, Limit: 5, ReturnConsumedCapacity: 'INDEXES' });
    await pagesAlike('Query', { TableName, IndexName: 'byRank', ...rank, ExpressionAttributeValues: ranks, Select: 'ALL_ATTRIBUTES', Limit: 4, ReturnConsumedCapacity: 'INDEXES' });
    const group = (name: string) => ({ KeyConditionExpression: '#group = :group', ExpressionAttributeNames: { '#group': 'group' }, ExpressionAttributeValues: { ':group': { S: name } } });
    expect(await pagesAlike('Query', { TableName, IndexName: 'byGroup', ...group('g1'), Limit: 10, ScanIndexForward: false, ReturnConsumedCapacity: 'INDEXES' })).toEqual({ pages: 9, items: 80 });
    await pagesAlike('Query', {
      TableName,
      IndexName: 'byGroupRank',
      KeyConditionExpression: '#group = :group AND #rank >= :low',
      ExpressionAttributeNames: { '#group': 'group', '#rank': 'rank' },
      ExpressionAttributeValues: { ':group': { S: 'g2' }, ':low': { N: '10' } },
      Limit: 6,
    });
  });

  it('stops pages at 1 MB alike, with and without a Limit and a filter', async () => {
    expect(await pagesAlike('Query', { TableName, ...partition('big'), ReturnConsumedCapacity: 'TOTAL' })).toEqual({ pages: 2, items: 45 });
    await pagesAlike('Query', { TableName, ...partition('big'), Limit: 40, FilterExpression: '#rank <> :one', ExpressionAttributeNames: { '#rank': 'rank' }, ExpressionAttributeValues: { ':pk': { S: 'big' }, ':one': { N: '1' } } });
    await pagesAlike('Query', { TableName, ...partition('big'), ScanIndexForward: false, ProjectionExpression: 'sk' });
  });

  it('scans alike: whole, by Limit, by segment, an index, with the older filter', async () => {
    await pagesAlike('Scan', { TableName, ReturnConsumedCapacity: 'INDEXES' });
    expect((await pagesAlike('Scan', { TableName, Limit: 25, FilterExpression: 'attribute_not_exists(#blob)', ExpressionAttributeNames: { '#blob': 'blob' } })).items).toBe(240);
    await pagesAlike('Scan', { TableName, TotalSegments: 3, Segment: 1, Limit: 10 });
    await pagesAlike('Scan', { TableName, IndexName: 'byGroup', Limit: 13, Select: 'COUNT' });
    await pagesAlike('Scan', {
      TableName,
      ScanFilter: { rank: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '2' }] }, group: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'g0' }] } },
      ConditionalOperator: 'OR',
      Limit: 50,
    });
  });

  it('refuses what dynalite refuses, alike', async () => {
    const refused = [
      { TableName, ...partition('p0'), ExclusiveStartKey: { pk: { S: 'p1' }, sk: { S: 'item#001' } } },
      { TableName: 'no-such-table', ...partition('p0') },
      { TableName, ...partition('p0'), FilterExpression: 'pk = :pk' },
    ];
    for (const input of refused) {
      const { theirs, ours } = await bothAnswers('Query', input);
      expect(ours).toEqual(theirs);
      expect(ours.status).toBe(400);
    }
  });
});
