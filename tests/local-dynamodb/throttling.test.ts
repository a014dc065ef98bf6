/**
 * The local DynamoDB's injected write throttling, over its socket with the
 * AWS SDK and its admin-signed hook: DynamoDB's answers for a throttled
 * write, batch and transaction, nothing written by a throttled request, and
 * the hook refusing anyone but the admin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImagesTable, startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { throttlingPath } from '../../local/dynamodb/test-hooks.ts';
import { ThrottleSpecError } from '../../local/dynamodb/errors.ts';
import { parseThrottleSpec } from '../../local/dynamodb/throttling.ts';
import { adminFetch } from '../../local/iam/admin-fetch.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';

const region = 'us-east-1';
const TableName = 'labelcast-images';
const admin: LocalCredentials = { accessKeyId: 'LKIADYNAMOTHROTTLE1', secretAccessKey: 'dynamo-secret-0123456789abcdefghijklmnopq' };
const stranger: LocalCredentials = { accessKeyId: 'LKIADYNAMOSTRANGER1', secretAccessKey: 'stranger-secret-0123456789abcdefghijklmno' };
const key = (id: string) => ({ pk: `ITEM#${id}`, sk: 'ITEM' });

describe('Local DynamoDB: injected write throttling', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-throttle-'));
  let dynamodb: LocalDynamoDb;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(admin), admin: credentialStore(admin) });
    await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName: TableName, region, credentials: admin });
    // One attempt: the test sees DynamoDB's answers, not the SDK's retries.
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials: admin, maxAttempts: 1 }));
  });
  afterAll(async () => {
    documents.destroy();
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const hook = (method: 'GET' | 'PUT' | 'DELETE', body: unknown, credentials = admin) =>
    adminFetch(new URL(throttlingPath, dynamodb.endpoint), { method, body: body === undefined ? undefined : JSON.stringify(body) }, { credentials, region, service: 'dynamodb' });

  it('answers every write as throttled at writeShare 1, and writes nothing', async () => {
    // Prepare
    expect((await hook('PUT', { writeShare: 1 })).status).toBe(200);

    // Act
    const put = await documents.send(new PutCommand({ TableName, Item: key('t1') })).catch((error: unknown) => error);
    const retrying = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials: admin, maxAttempts: 3 }));
    const retried = await retrying.send(new PutCommand({ TableName, Item: key('t1') })).catch((error: unknown) => error as ProvisionedThroughputExceededException);
    retrying.destroy();
    const batch = await documents.send(new BatchWriteCommand({ RequestItems: { [TableName]: [{ PutRequest: { Item: key('t2') } }] } })).catch((error: unknown) => error);
    const transaction = await documents.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: key('t3') } }, { Put: { TableName, Item: key('t4') } }] })).catch((error: unknown) => error);
    const state = (await (await hook('DELETE', undefined)).json()) as { throttledWrites: number };

    // Assess
    expect(put).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect((put as ProvisionedThroughputExceededException).$metadata.httpStatusCode).toBe(400);
    // The SDK retries it as throttling: every attempt was made.
    expect(retried).toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { attempts: 3 } });
    expect(batch).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(transaction).toBeInstanceOf(TransactionCanceledException);
    expect((transaction as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code)).toEqual(['ThrottlingError', 'None']);
    expect(state.throttledWrites).toBe(6);
    for (const id of ['t1', 't2', 't3', 't4']) expect((await documents.send(new GetCommand({ TableName, Key: key(id) }))).Item).toBeUndefined();
  });

  it('hands a partly throttled batch back in UnprocessedItems, writing the rest', async () => {
    // Prepare
    await hook('PUT', { writeShare: 0.5, seed: 3 });
    const items = Array.from({ length: 20 }, (_, index) => ({ PutRequest: { Item: key(`b${index}`) } }));

    // Act
    const { UnprocessedItems } = await documents.send(new BatchWriteCommand({ RequestItems: { [TableName]: items } }));
    await hook('DELETE', undefined);

    // Assess
    const unprocessed = (UnprocessedItems?.[TableName] ?? []).map((request) => request.PutRequest?.Item?.pk);
    expect(unprocessed.length).toBeGreaterThan(0);
    expect(unprocessed.length).toBeLessThan(items.length);
    for (const [index] of items.entries()) {
      const stored = (await documents.send(new GetCommand({ TableName, Key: key(`b${index}`) }))).Item;
      expect(stored === undefined, `b${index}`).toBe(unprocessed.includes(`ITEM#b${index}`));
    }
  });

  it('admits only the admin signature, and says what is wrong with a spec', async () => {
    // Act
    const foreign = await hook('PUT', { writeShare: 1 }, stranger);
    const bad = await hook('PUT', { writeShare: 2 });

    // Assess
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain('UnrecognizedClientException');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'writeShare must be a number from 0 to 1' });
    expect(() => parseThrottleSpec({ writeShare: 0.1, scope: 'everyone' })).toThrow(ThrottleSpecError);
    await documents.send(new PutCommand({ TableName, Item: key('after') }));
  });

  it('answers a hook body past 4 KB with 413 naming the limit, and goes on serving', async () => {
    // Act
    const oversized = await hook('PUT', { writeShare: 0, padding: 'x'.repeat(5000) });
    const after = await hook('GET', undefined);

    // Assess
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toEqual({ message: 'the body must be at most 4096 bytes' });
    expect(after.status).toBe(200);
  });
});
