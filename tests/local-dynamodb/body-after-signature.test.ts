/**
 * The local DynamoDB verifies a request's signature, over its body, before anything parses the body: a wrong
 * signature gets the signature error whatever the body holds (JSON nested past DynamoDB's limit, JSON that is not
 * an object, no JSON at all), and a body nobody authenticated costs no parse. A well-signed body still gets
 * DynamoDB's own answer to its shape. Over the socket and in process alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type DynamoDbHttpRequest, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { signedDynamoDbRequest } from './dynamodb-signing.ts';

const region = 'us-east-1';
const credentials: LocalCredentials = { accessKeyId: 'LKIADYNAMOTEST00003', secretAccessKey: 'dynamo-secret-3123456789abcdefghijklmnopq' };

const bodies = {
  // 100 levels of JSON: past DynamoDB's 32 levels of attributes, each two of JSON.
  'nested 100 deep': `{"TableName":"t","Item":{"a":${'['.repeat(100)}${']'.repeat(100)}}}`,
  'JSON that is not an object': '[{"TableName":"t"}]',
  'not JSON': '{"TableName":',
};

/** What DynamoDB answers a well-signed request with each body. */
const wellSignedAnswers: Record<keyof typeof bodies, { readonly __type: string; readonly message?: string }> = {
  'nested 100 deep': { __type: 'com.amazon.coral.validate#ValidationException', message: 'Nesting Levels have exceeded supported limits' },
  'JSON that is not an object': { __type: 'com.amazon.coral.service#SerializationException' },
  'not JSON': { __type: 'com.amazon.coral.service#SerializationException' },
};

const forged = (request: DynamoDbHttpRequest & { readonly headers: { readonly authorization: string } }): DynamoDbHttpRequest => ({
  ...request,
  headers: { ...request.headers, authorization: request.headers.authorization.replace(/Signature=[0-9a-f]+/, `Signature=${'0'.repeat(64)}`) },
});

describe('local DynamoDB: the signature before the body', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-dynamodb-body-'));
  let dynamodb: LocalDynamoDb;

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: credentialStore(credentials) });
  });
  afterAll(async () => {
    await dynamodb.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const overSocket = async (request: DynamoDbHttpRequest) => {
    const sent = await fetch(dynamodb.endpoint, { method: 'POST', headers: request.headers, body: request.body });
    return { status: sent.status, body: (await sent.json()) as Record<string, unknown> };
  };
  const inProcess = async (request: DynamoDbHttpRequest) => {
    const answer = await dynamodb.transport(request);
    return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
  };

  describe.each([
    ['over the socket', overSocket],
    ['in process', inProcess],
  ] as const)('%s', (_path, send) => {
    it.each(Object.keys(bodies) as (keyof typeof bodies)[])('refuses a wrong signature over a body %s with InvalidSignatureException', async (name) => {
      const request = forged(await signedDynamoDbRequest(dynamodb.endpoint, 'PutItem', bodies[name], { region, credentials }));

      const answer = await send(request);

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ __type: 'com.amazon.coral.service#InvalidSignatureException' });
    });

    it.each(Object.keys(bodies) as (keyof typeof bodies)[])("answers a well-signed body %s as DynamoDB does", async (name) => {
      const request = await signedDynamoDbRequest(dynamodb.endpoint, 'PutItem', bodies[name], { region, credentials });

      const answer = await send(request);

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject(wellSignedAnswers[name]);
    });
  });
});
