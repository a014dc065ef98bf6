// Local DynamoDB lives beside local S3 in the tests too (tests/local-s3 is this area's folder).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedOwner } from '../../api/owner.ts';
import { ImagesTableLayout, imageKey, labelEntryKey, labelPartition } from '../../api/table.ts';
import { ensureImagesTable, startLocalDynamoDb } from '../../local/dynamodb/index.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { StateFileError } from '../../local/state-dir.ts';

const region = 'us-east-1';
const tableName = 'labelcast-images';
const credentials: LocalCredentials = { accessKeyId: 'LKIADYNAMOTEST00001', secretAccessKey: 'dynamo-secret-0123456789abcdefghijklmnopq' };

describe('local DynamoDB', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the images table once, persists items across restarts and serves label entries and the byOwner index', async () => {
    let dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    // The first call creates it (and says so: the stack's start-up reconciler run is skipped on a new, empty table).
    expect(await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials })).toEqual({ created: true });
    // A second call finds the table and leaves it as it is.
    expect(await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials })).toEqual({ created: false });

    const connect = (endpoint: string) => DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region, credentials }));
    let documents = connect(dynamodb.endpoint);
    const createdAt = '2024-05-01T10:00:00.000Z';
    const image = { id: 'img-1', status: 'LABELED', createdAt, owner: sharedOwner };
    await documents.send(new PutCommand({ TableName: tableName, Item: { ...imageKey('img-1'), ...image } }));
    await documents.send(
      new PutCommand({ TableName: tableName, Item: { ...labelEntryKey(sharedOwner, 'Cat', 0, createdAt, 'img-1'), id: 'img-1', confidence: 98.5 } }),
    );
    documents.destroy();
    await dynamodb.close();

    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    try {
      // The stored table, after a restart.
      expect(await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials })).toEqual({ created: false });
      documents = connect(dynamodb.endpoint);
      const described = await documents.send(new DescribeTableCommand({ TableName: tableName }));
      expect(described.Table?.TableStatus).toBe('ACTIVE');
      expect(described.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(described.Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.Projection?.ProjectionType])).toEqual([
        ['byOwner', 'KEYS_ONLY'],
        ['byStatus', 'INCLUDE'],
      ]);

      // A label search reads one entry partition of the table: no index.
      const entries = await documents.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :partition',
          ExpressionAttributeNames: { '#pk': ImagesTableLayout.partitionKey },
          ExpressionAttributeValues: { ':partition': labelPartition(sharedOwner, 'CAT ') },
          ScanIndexForward: false,
        }),
      );
      expect(entries.Items).toEqual([{ ...labelEntryKey(sharedOwner, 'cat', 0, createdAt, 'img-1'), id: 'img-1', confidence: 98.5 }]);

      const library = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: ImagesTableLayout.byOwnerIndex.indexName,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': ImagesTableLayout.byOwnerIndex.partitionKey },
          ExpressionAttributeValues: { ':owner': sharedOwner },
        }),
      );
      expect(library.Items).toEqual([{ ...imageKey('img-1'), owner: sharedOwner, createdAt }]);
      documents.destroy();
    } finally {
      await dynamodb.close();
    }
  });

  it('says created to one of two concurrent callers only', async () => {
    // Prepare
    const concurrentDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-concurrent-'));
    const dynamodb = await startLocalDynamoDb({ dataDir: concurrentDir, port: 0, region, credentials: credentialStore(credentials) });
    try {
      // Act: both find no table, both create it; DynamoDB refuses the second CreateTable (ResourceInUseException)
      const ensure = () => ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials });
      const results = await Promise.all([ensure(), ensure()]);

      // Assess
      expect(results.map((result) => result.created).sort()).toEqual([false, true]);
    } finally {
      await dynamodb.close();
      rmSync(concurrentDir, { recursive: true, force: true });
    }
  });

  it('refuses a stored table of an older layout, naming the data directory and what to do', async () => {
    // Prepare: a table as an older labelcast made it, with only the byLabel index
    const olderDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-older-'));
    const dynamodb = await startLocalDynamoDb({ dataDir: olderDir, port: 0, region, credentials: credentialStore(credentials) });
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials });
    try {
      const key = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [key('pk'), key('sk'), key('labelKey'), key('labelSort')],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byLabel',
              KeySchema: [
                { AttributeName: 'labelKey', KeyType: 'HASH' },
                { AttributeName: 'labelSort', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );

      // Act
      const ensuring = ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials, dataDir: olderDir });

      // Assess
      await expect(ensuring).rejects.toThrow(StateFileError);
      await expect(ensuring).rejects.toThrow(`${olderDir} holds the images table in an older layout`);
      await expect(ensuring).rejects.toThrow('delete it to start with an empty table');
    } finally {
      client.destroy();
      await dynamodb.close();
      rmSync(olderDir, { recursive: true, force: true });
    }
  });
});
