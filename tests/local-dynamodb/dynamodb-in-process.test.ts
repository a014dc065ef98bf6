// The local AppSync reaches the local DynamoDB in-process (local/dynamodb/in-process.ts): same API, no socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedOwner } from '../../api/owner.ts';
import { ImagesTableLayout, imageKey } from '../../api/table.ts';
import { dynamoDbJsonClient, type DynamoDbJsonClient } from '../../local/appsync/data-sources/dynamodb-wire.ts';
import { DynamoDbServiceError } from '../../local/appsync/errors.ts';
import { ensureImagesTable, startLocalDynamoDb, type DynamoDbHttpRequest, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { signedDynamoDbRequest } from './dynamodb-signing.ts';

const region = 'us-east-1';
const tableName = 'labelcast-images';
const credentials: LocalCredentials = { accessKeyId: 'LKIADYNAMOTEST00002', secretAccessKey: 'dynamo-secret-0123456789abcdefghijklmnopq' };

describe('Function: inProcessTransport', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-'));
  let dynamodb: LocalDynamoDb;
  let overHttp: DynamoDbJsonClient;
  let inProcess: DynamoDbJsonClient;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
    await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials });
    overHttp = dynamoDbJsonClient({ endpoint: dynamodb.endpoint, region, credentials });
    inProcess = dynamoDbJsonClient({ endpoint: dynamodb.endpoint, region, credentials, transport: dynamodb.transport });
  });
  afterAll(async () => {
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a Query on the byOwner index with the same JSON as the endpoint, keys only', async () => {
    // Prepare
    const createdAt = '2024-05-01T10:00:00.000Z';
    await inProcess.call('PutItem', {
      TableName: tableName,
      Item: {
        ...toKey(imageKey('img-1')),
        owner: { S: sharedOwner },
        createdAt: { S: createdAt },
        status: { S: 'LABELED' },
        sizeBytes: { N: '42' },
        thumbnail: { B: 'AAEC' },
      },
    });
    const index = ImagesTableLayout.byOwnerIndex;
    const query = {
      TableName: tableName,
      IndexName: index.indexName,
      KeyConditionExpression: '#k = :k',
      ExpressionAttributeNames: { '#k': index.partitionKey },
      ExpressionAttributeValues: { ':k': { S: sharedOwner } },
      ScanIndexForward: false,
      Limit: 20,
    };

    // Act
    const viaSocket = await overHttp.call('Query', query);
    const viaHandler = await inProcess.call('Query', query);

    // Assess: the index projects keys only, as api/table.ts declares it
    expect(viaHandler).toEqual(viaSocket);
    expect(viaHandler).toMatchObject({ Count: 1, ScannedCount: 1 });
    expect((viaHandler as { Items: unknown[] }).Items).toEqual([{ ...toKey(imageKey('img-1')), owner: { S: sharedOwner }, createdAt: { S: createdAt } }]);
  });

  it('answers a failed condition with the status, headers and error body the endpoint sends', async () => {
    // Prepare
    const put = { TableName: tableName, Item: toKey(imageKey('img-2')), ConditionExpression: 'attribute_not_exists(pk)' };
    await inProcess.call('PutItem', put);
    // Signed as an SDK signs it: the transport checks the signature as the endpoint does.
    const request: DynamoDbHttpRequest = await signedDynamoDbRequest(dynamodb.endpoint, 'PutItem', put, { region, credentials });

    // Act
    const response = await dynamodb.transport(request);
    const sent = await fetch(dynamodb.endpoint, { method: 'POST', headers: request.headers, body: request.body });
    const refused = await inProcess.call('PutItem', put).catch((error: unknown) => error);

    // Assess
    expect(response.statusCode).toBe(sent.status);
    expect(response.body).toBe(await sent.text());
    expect(response.headers['x-amz-crc32']).toBe(sent.headers.get('x-amz-crc32'));
    expect(response.headers['x-amzn-requestid']).toMatch(/^[A-Z0-9]{52}$/);
    expect(refused).toBeInstanceOf(DynamoDbServiceError);
    expect(refused).toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses a forged signature in process, as the endpoint does', async () => {
    // Prepare
    const signed = await signedDynamoDbRequest(dynamodb.endpoint, 'ListTables', {}, { region, credentials });
    const forged = { ...signed, headers: { ...signed.headers, authorization: signed.headers.authorization.replace(/Signature=[0-9a-f]+/, `Signature=${'0'.repeat(64)}`) } };

    // Act
    const response = await dynamodb.transport(forged);
    const sent = await fetch(dynamodb.endpoint, { method: 'POST', headers: forged.headers, body: forged.body });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'com.amazon.coral.service#InvalidSignatureException' });
    expect(sent.status).toBe(400);
    expect(await sent.json()).toEqual(JSON.parse(response.body));
  });

  it('refuses a request without SigV4 headers, as the endpoint does', async () => {
    // Act
    const response = await dynamodb.transport({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'com.amazon.coral.service#MissingAuthenticationTokenException' });
  });
});

const toKey = (key: Record<string, string>) => Object.fromEntries(Object.entries(key).map(([name, value]) => [name, { S: value }]));
