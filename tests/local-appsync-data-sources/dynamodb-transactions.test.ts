/**
 * The DYNAMODB data source's transactions (TransactWriteItems and
 * TransactGetItems, as AppSync's request objects ask for them), run on the
 * local DynamoDB: AppSync's result shapes, and a cancelled transaction's
 * reasons in ctx.result beside ctx.error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbDataSource } from '../../local/appsync/data-sources/dynamodb.ts';
import { dynamoDbJsonClient } from '../../local/appsync/data-sources/dynamodb-wire.ts';
import { createNextTokenCodec } from '../../local/appsync/data-sources/next-token.ts';
import { ensureImagesTable, startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';

const region = 'us-east-1';
const table = 'labelcast-images';
const credentials: LocalCredentials = { accessKeyId: 'LKIAAPPSYNCTXN00001', secretAccessKey: 'appsync-secret-0123456789abcdefghijklmnop' };
const key = (id: string) => ({ pk: { S: `ITEM#${id}` }, sk: { S: 'ITEM' } });

describe('Function: createDynamoDbDataSource, transactions', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-appsync-txn-'));
  let dynamodb: LocalDynamoDb;
  let source: ReturnType<typeof createDynamoDbDataSource>;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName: table, region, credentials });
    const client = dynamoDbJsonClient({ endpoint: dynamodb.endpoint, region, credentials, transport: dynamodb.transport });
    source = createDynamoDbDataSource({ client, tableName: table, tokens: createNextTokenCodec('test-secret') });
  });
  afterAll(async () => {
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes every item and answers their keys, then reads them back in order', async () => {
    // Act
    const written = await source.invoke({
      operation: 'TransactWriteItems',
      transactItems: [
        { table, operation: 'PutItem', key: key('a'), attributeValues: { n: { N: '1' } } },
        { table, operation: 'UpdateItem', key: key('b'), update: { expression: 'SET #n = :n', expressionNames: { '#n': 'n' }, expressionValues: { ':n': { N: '2' } } } },
      ],
    });
    const read = await source.invoke({ operation: 'TransactGetItems', transactItems: [{ table, key: key('b') }, { table, key: key('none') }, { table, key: key('a') }] });

    // Assess
    expect(written).toEqual({ result: { keys: [{ pk: 'ITEM#a', sk: 'ITEM' }, { pk: 'ITEM#b', sk: 'ITEM' }], cancellationReasons: null } });
    expect(read).toEqual({ result: { items: [{ pk: 'ITEM#b', sk: 'ITEM', n: 2 }, null, { pk: 'ITEM#a', sk: 'ITEM', n: 1 }], cancellationReasons: null } });
  });

  it('reports a cancelled transaction: reasons per item in ctx.result, the exception in ctx.error, nothing written', async () => {
    // Act
    const outcome = await source.invoke({
      operation: 'TransactWriteItems',
      transactItems: [
        { table, operation: 'PutItem', key: key('c'), attributeValues: {} },
        { table, operation: 'ConditionCheck', key: key('a'), condition: { expression: 'attribute_not_exists(pk)' } },
      ],
    });
    const read = await source.invoke({ operation: 'TransactGetItems', transactItems: [{ table, key: key('c') }] });

    // Assess
    expect(outcome.result).toEqual({
      keys: null,
      cancellationReasons: [
        { type: 'None', message: 'null' },
        { type: 'ConditionalCheckFailed', message: 'The conditional request failed' },
      ],
    });
    expect(outcome.error?.type).toBe('DynamoDB:TransactionCanceledException');
    expect(read).toEqual({ result: { items: [null], cancellationReasons: null } });
  });
});
