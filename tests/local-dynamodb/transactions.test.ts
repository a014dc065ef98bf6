/**
 * TransactWriteItems and TransactGetItems on the local DynamoDB, driven with
 * the AWS SDK as a function would: all or nothing, DynamoDB's cancellation
 * reasons, its validation errors, client-token idempotency, and atomicity
 * with respect to concurrent single-item writes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImagesTable, startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';

const region = 'us-east-1';
const TableName = 'labelcast-images';
const credentials: LocalCredentials = { accessKeyId: 'LKIADYNAMOTXN000001', secretAccessKey: 'dynamo-secret-0123456789abcdefghijklmnopq' };
const key = (id: string) => ({ pk: `ITEM#${id}`, sk: 'ITEM' });

describe('Local DynamoDB: transactions', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-txn-'));
  let dynamodb: LocalDynamoDb;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName: TableName, region, credentials });
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials, maxAttempts: 1 }));
  });
  afterAll(async () => {
    documents.destroy();
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = async (id: string) => (await documents.send(new GetCommand({ TableName, Key: key(id), ConsistentRead: true }))).Item;

  describe('Method: TransactWriteItems', () => {
    it('applies Put, Update, Delete and ConditionCheck together', async () => {
      // Prepare
      await documents.send(new PutCommand({ TableName, Item: { ...key('a1'), count: 1 } }));
      await documents.send(new PutCommand({ TableName, Item: { ...key('a2'), gone: true } }));
      await documents.send(new PutCommand({ TableName, Item: { ...key('a3'), state: 'open' } }));

      // Act
      await documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName, Key: key('a1'), UpdateExpression: 'ADD #count :one', ExpressionAttributeNames: { '#count': 'count' }, ExpressionAttributeValues: { ':one': 1 } } },
            { Delete: { TableName, Key: key('a2') } },
            { Put: { TableName, Item: { ...key('a4'), made: 'yes' }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { ConditionCheck: { TableName, Key: key('a3'), ConditionExpression: '#state = :open', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':open': 'open' } } },
          ],
        }),
      );

      // Assess
      expect(await get('a1')).toMatchObject({ count: 2 });
      expect(await get('a2')).toBeUndefined();
      expect(await get('a4')).toMatchObject({ made: 'yes' });
      expect(await get('a3')).toEqual({ ...key('a3'), state: 'open' });
    });

    it('writes nothing when one condition fails, and names each item in the cancellation reasons', async () => {
      // Prepare
      await documents.send(new PutCommand({ TableName, Item: { ...key('b1'), count: 5 } }));
      await documents.send(new PutCommand({ TableName, Item: { ...key('b2'), state: 'closed' } }));

      // Act
      const outcome = documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName, Key: key('b1'), UpdateExpression: 'SET #count = :zero', ExpressionAttributeNames: { '#count': 'count' }, ExpressionAttributeValues: { ':zero': 0 } } },
            { Put: { TableName, Item: { ...key('b3') } } },
            {
              ConditionCheck: {
                TableName,
                Key: key('b2'),
                ConditionExpression: '#state = :open',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':open': 'open' },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );

      // Assess
      const error = await outcome.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(TransactionCanceledException);
      const canceled = error as TransactionCanceledException;
      expect(canceled.$metadata.httpStatusCode).toBe(400);
      expect(canceled.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed]');
      expect(canceled.CancellationReasons).toEqual([
        { Code: 'None' },
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { pk: { S: 'ITEM#b2' }, sk: { S: 'ITEM' }, state: { S: 'closed' } } },
      ]);
      expect(await get('b1')).toMatchObject({ count: 5 });
      expect(await get('b3')).toBeUndefined();
    });

    it('puts back what it applied when a later write is refused (ValidationError reason)', async () => {
      // Prepare
      await documents.send(new PutCommand({ TableName, Item: { ...key('c1'), count: 1 } }));
      await documents.send(new PutCommand({ TableName, Item: { ...key('c2'), count: 'not a number' } }));

      // Act
      const outcome = documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName, Key: key('c1'), UpdateExpression: 'ADD #count :one', ExpressionAttributeNames: { '#count': 'count' }, ExpressionAttributeValues: { ':one': 1 } } },
            { Update: { TableName, Key: key('c2'), UpdateExpression: 'ADD #count :one', ExpressionAttributeNames: { '#count': 'count' }, ExpressionAttributeValues: { ':one': 1 } } },
          ],
        }),
      );

      // Assess
      await expect(outcome).rejects.toMatchObject({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'ValidationError' }] });
      expect(await get('c1')).toMatchObject({ count: 1 });
    });

    it('refuses expression maps DynamoDB refuses (empty, unused) before writing anything', async () => {
      // Act
      const empty = documents.send(
        new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: key('h1') } }, { Delete: { TableName, Key: key('h2'), ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: {} } }] }),
      );
      const unused = documents.send(
        new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: key('h1'), ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':spare': 1 } } }] }),
      );

      // Assess
      await expect(empty).rejects.toMatchObject({ name: 'ValidationException', message: 'ExpressionAttributeValues must not be empty' });
      await expect(unused).rejects.toMatchObject({ name: 'ValidationException', message: 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:spare}' });
      expect(await get('h1')).toBeUndefined();
    });

    it('refuses two actions on one item, and more than 100 items, with ValidationException', async () => {
      // Act
      const twice = documents.send(
        new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: key('d1') } }, { Delete: { TableName, Key: key('d1') } }] }),
      );
      const tooMany = documents.send(
        new TransactWriteCommand({ TransactItems: Array.from({ length: 101 }, (_, index) => ({ Put: { TableName, Item: key(`d-many-${index}`) } })) }),
      );

      // Assess
      await expect(twice).rejects.toMatchObject({ name: 'ValidationException', message: 'Transaction request cannot include multiple operations on one item' });
      await expect(tooMany).rejects.toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
      });
      await expect(documents.send(new TransactWriteCommand({ TransactItems: [] }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
      });
      expect(await get('d1')).toBeUndefined();
      expect(await get('d-many-0')).toBeUndefined();
    });

    it('refuses a ReturnValuesOnConditionCheckFailure, ReturnConsumedCapacity or ReturnItemCollectionMetrics outside its enum, naming each, writing nothing', async () => {
      // Act
      const refused = documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName, Item: key('e1') } },
            { Delete: { TableName, Key: key('e2'), ReturnValuesOnConditionCheckFailure: 'dog' as 'ALL_OLD' } },
          ],
          ReturnConsumedCapacity: 'ALL' as 'TOTAL',
        }),
      );
      const readRefused = documents.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: key('e1') } }], ReturnConsumedCapacity: 'SOME' as 'TOTAL' }));

      // Assess
      await expect(refused).rejects.toMatchObject({
        name: 'ValidationException',
        message:
          "2 validation errors detected: Value 'dog' at 'transactItems.2.member.delete.returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]; " +
          "Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
      });
      await expect(readRefused).rejects.toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value 'SOME' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
      });
      expect(await get('e1')).toBeUndefined();
      await expect(
        documents.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: key('e1'), ReturnValuesOnConditionCheckFailure: 'NONE' } }], ReturnItemCollectionMetrics: 'SIZE' })),
      ).resolves.toBeDefined();
    });

    it('refuses items of more than 4 MB together, and an expression over 4 KB, with ValidationException, writing nothing', async () => {
      // Prepare: 11 items of 390 KB (under the 400 KB item limit) are 4.2 MB together
      const big = 'x'.repeat(390 * 1024);
      // 200 names make a condition of ~5.6 KB, past the 4 KB that DynamoDB allows an expression.
      const names = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`#n${index}`, `a${index}`]));
      const longCondition = Object.keys(names).map((name) => `attribute_not_exists(${name})`).join(' AND ');
      expect(Buffer.byteLength(longCondition)).toBeGreaterThan(4 * 1024);

      // Act / Assess (one at a time: each answer is awaited as it comes)
      await expect(
        documents.send(new TransactWriteCommand({ TransactItems: Array.from({ length: 11 }, (_, index) => ({ Put: { TableName, Item: { ...key(`big-${index}`), big } } })) })),
      ).rejects.toMatchObject({ name: 'ValidationException', message: 'The aggregate size of the items in the transaction exceeds 4 MB' });
      await expect(
        documents.send(new TransactWriteCommand({ TransactItems: Array.from({ length: 10 }, (_, index) => ({ Put: { TableName, Item: { ...key(`fits-${index}`), big } } })) })),
      ).resolves.toBeDefined();
      await expect(
        documents.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: key('long'), ConditionExpression: longCondition, ExpressionAttributeNames: names } }] })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(/^Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: \d+$/),
      });
      expect(await get('big-0')).toBeUndefined();
      expect(await get('long')).toBeUndefined();
    });

    it('takes 100 items, and answers a repeated ClientRequestToken without writing again', async () => {
      // Prepare
      const token = 'retry-token-0001';
      const items = Array.from({ length: 99 }, (_, index) => ({ Put: { TableName, Item: { ...key(`e-${index}`), n: index } } }));
      const counter = { Update: { TableName, Key: key('e-counter'), UpdateExpression: 'ADD hits :one', ExpressionAttributeValues: { ':one': 1 } } };

      // Act
      await documents.send(new TransactWriteCommand({ TransactItems: [...items, counter], ClientRequestToken: token }));
      await documents.send(new TransactWriteCommand({ TransactItems: [...items, counter], ClientRequestToken: token }));
      const mismatch = await documents.send(new TransactWriteCommand({ TransactItems: [counter], ClientRequestToken: token })).catch((error: unknown) => error);

      // Assess
      expect(await get('e-98')).toMatchObject({ n: 98 });
      expect(await get('e-counter')).toMatchObject({ hits: 1 });
      expect(mismatch).toMatchObject({ name: 'IdempotentParameterMismatchException' });
    });

    it('is atomic with respect to concurrent transactions and single-item writes', async () => {
      // Prepare: transactions keep f1 and f2 equal; single writes give f1 other values, each undone by a later transaction.
      const pair = (value: number) => ({
        TransactItems: [
          { Update: { TableName, Key: key('f1'), UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':v': value } } },
          { Put: { TableName, Item: { ...key('f2'), v: value } } },
        ],
      });
      await documents.send(new PutCommand({ TableName, Item: { ...key('f1'), v: -1 } }));
      await documents.send(new TransactWriteCommand(pair(0)));
      const seen: [unknown, unknown][] = [];
      const readPair = async () => {
        const { Responses } = await documents.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: key('f1') } }, { Get: { TableName, Key: key('f2') } }] }));
        seen.push([Responses?.[0]?.Item?.v, Responses?.[1]?.Item?.v]);
      };

      // Act
      await Promise.all(Array.from({ length: 30 }, (_, index) => documents.send(new TransactWriteCommand(pair(index + 1))).then(readPair)));
      await Promise.all(Array.from({ length: 10 }, (_, index) => documents.send(new PutCommand({ TableName, Item: { ...key('f1'), v: 1000 + index } }))));
      await documents.send(new TransactWriteCommand(pair(99)));
      await readPair();

      // Assess: every read saw both items from the same transaction.
      expect(seen.filter(([first, second]) => first !== second)).toEqual([]);
      expect(seen.at(-1)).toEqual([99, 99]);
    });

    it('cancels a key of the wrong types with a ValidationError reason, and refuses an empty key value outright, writing nothing', async () => {
      // Act
      const wrongType = await documents
        .send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName, Item: { ...key('k1'), v: 1 } } },
              { Update: { TableName, Key: { pk: 7, sk: 'ITEM' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 1 } } },
            ],
          }),
        )
        .catch((error: unknown) => error);
      const emptyKey = documents.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: '', sk: 'ITEM' } } }] }));

      // Assess
      expect(wrongType).toBeInstanceOf(TransactionCanceledException);
      expect((wrongType as TransactionCanceledException).CancellationReasons).toEqual([
        { Code: 'None' },
        { Code: 'ValidationError', Message: 'The provided key element does not match the schema' },
      ]);
      await expect(emptyKey).rejects.toMatchObject({ name: 'ValidationException' });
      expect(await get('k1')).toBeUndefined();
    });
  });

  describe('Method: TransactGetItems', () => {
    it('cancels an empty or wrong-typed key with a ValidationError reason', async () => {
      // Act
      const cancelled = await documents
        .send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: key('g1') } }, { Get: { TableName, Key: {} } }] }))
        .catch((error: unknown) => error);

      // Assess
      expect(cancelled).toBeInstanceOf(TransactionCanceledException);
      expect(cancelled).toMatchObject({ message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]' });
      expect((cancelled as TransactionCanceledException).CancellationReasons).toEqual([
        { Code: 'None' },
        { Code: 'ValidationError', Message: 'The provided key element does not match the schema' },
      ]);
    });

    it('reads every item, in order, missing ones as empty responses', async () => {
      // Prepare
      await documents.send(new PutCommand({ TableName, Item: { ...key('g1'), v: 1 } }));

      // Act
      const { Responses } = await documents.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName, Key: key('g1') } }, { Get: { TableName, Key: key('g-none') } }] }));

      // Assess
      expect(Responses).toEqual([{ Item: { ...key('g1'), v: 1 } }, {}]);
    });

    it('refuses items of more than 4 MB together, counted whole even when projected, with ValidationException', async () => {
      // Prepare: 11 stored items of 390 KB (under the 400 KB item limit) are 4.2 MB together
      const big = 'x'.repeat(390 * 1024);
      for (let index = 0; index < 11; index += 1) await documents.send(new PutCommand({ TableName, Item: { ...key(`read-big-${index}`), big } }));
      const gets = (count: number, projection?: string) =>
        Array.from({ length: count }, (_, index) => ({ Get: { TableName, Key: key(`read-big-${index}`), ProjectionExpression: projection } }));
      const tooLarge = { name: 'ValidationException', message: 'The aggregate size of the items in the transaction exceeded 4 MB' };

      // Act / Assess (one at a time: each answer is awaited as it comes)
      await expect(documents.send(new TransactGetCommand({ TransactItems: gets(11) }))).rejects.toMatchObject(tooLarge);
      await expect(documents.send(new TransactGetCommand({ TransactItems: gets(11, 'pk') }))).rejects.toMatchObject(tooLarge);
      const fits = await documents.send(new TransactGetCommand({ TransactItems: gets(10) }));
      expect(fits.Responses?.map((response) => response.Item?.big === big)).toEqual(Array.from({ length: 10 }, () => true));
    });

    it('refuses an empty list and more than 100 items with ValidationException naming the bound', async () => {
      // Act
      const empty = documents.send(new TransactGetCommand({ TransactItems: [] }));
      const tooMany = documents.send(new TransactGetCommand({ TransactItems: Array.from({ length: 101 }, (_, index) => ({ Get: { TableName, Key: key(`g-many-${index}`) } })) }));

      // Assess
      await expect(empty).rejects.toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
      });
      await expect(tooMany).rejects.toMatchObject({
        name: 'ValidationException',
        message: "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
      });
    });
  });
});
