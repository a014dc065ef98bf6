/**
 * IAM enforced by the local services: each function's key pair (minted by
 * local/iam/function-roles.ts, bound to the role api/access.ts derives) may do
 * what its role allows and nothing else, refused with each service's own
 * AccessDenied shape; the account's key pair stays the administrator. A
 * function's keys are session keys, as Lambda's role credentials are: valid
 * only with their session token. Real servers, real SDK clients.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagesTableLayout } from '../../api/table.ts';
import type { LambdaFunctionName } from '../../api/manifest.ts';
import { ensureImagesTable, startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import { credentialStore, type LocalCredentials } from '../../local/iam/credentials.ts';
import { localIdentities, type LocalIdentities } from '../../local/iam/function-roles.ts';
import { startLocalLambdaApi, type LocalLambdaApi } from '../../local/lambda/api.ts';
import { startLocalRekognition, type LocalRekognition } from '../../local/rekognition/index.ts';
import { signedDynamoDbRequest } from '../local-dynamodb/dynamodb-signing.ts';
import { useLocalS3 } from '../support/local-s3.ts';

const region = 'us-east-1';
const bucketName = 'labelcast-enforced';
const tableName = 'labelcast-enforced-images';
const admin: LocalCredentials = { accessKeyId: 'LKIAENFORCEADMIN0001', secretAccessKey: 'enforcement-admin-secret-0123456789abcdef' };
const identities: LocalIdentities = localIdentities(admin, { region, bucketName, tableName });
const keysOf = (name: LambdaFunctionName) => identities.functionCredentials[name];
const roleArn = (name: LambdaFunctionName) => `arn:aws:sts::000000000000:assumed-role/labelcast-${name}-role/${name}`;
const denial = (name: LambdaFunctionName, action: string, resource: string) =>
  `User: ${roleArn(name)} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number }; Code?: string },
  );

describe('local S3 with function roles', () => {
  const localS3 = useLocalS3({
    dirPrefix: 'labelcast-enforce-s3-',
    admin,
    credentials: identities.directory,
    region,
    buckets: [{ name: bucketName }],
    maxObjectBytes: 1024 * 1024,
    clientConfig: { forcePathStyle: true, maxAttempts: 1 },
  });
  const clientOf = (credentials: LocalCredentials) => localS3.client(credentials);

  beforeAll(async () => {
    await clientOf(admin).send(new PutObjectCommand({ Bucket: bucketName, Key: 'images/kept', Body: 'kept bytes' }));
  });

  it('serves a read the role allows', async () => {
    // Act
    const object = await clientOf(keysOf('presignDownload')).send(new GetObjectCommand({ Bucket: bucketName, Key: 'images/kept' }));

    // Assess
    expect(await object.Body?.transformToString()).toBe('kept bytes');
  });

  it('refuses a write outside the role with AccessDenied naming the role, action and resource', async () => {
    // Act
    const error = await failureOf(clientOf(keysOf('presignDownload')).send(new PutObjectCommand({ Bucket: bucketName, Key: 'images/new', Body: 'x' })));

    // Assess
    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({ name: 'AccessDenied', message: denial('presignDownload', 's3:PutObject', `arn:aws:s3:::${bucketName}/images/new`) });
    expect(error?.$metadata?.httpStatusCode).toBe(403);
  });

  it('answers 403 for a missing key to a role without s3:ListBucket, and 404 to one with it', async () => {
    // Act
    const withoutList = await failureOf(clientOf(keysOf('presignDownload')).send(new HeadObjectCommand({ Bucket: bucketName, Key: 'images/missing' })));
    const withoutListGet = await failureOf(clientOf(keysOf('presignDownload')).send(new GetObjectCommand({ Bucket: bucketName, Key: 'images/missing' })));
    const withList = await failureOf(clientOf(keysOf('reconciler')).send(new HeadObjectCommand({ Bucket: bucketName, Key: 'uploads/missing' })));
    const asAdmin = await failureOf(clientOf(admin).send(new GetObjectCommand({ Bucket: bucketName, Key: 'images/missing' })));

    // Assess
    expect(withoutList?.$metadata?.httpStatusCode).toBe(403);
    expect(withoutListGet).toMatchObject({ name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403 } });
    expect(withList).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(asAdmin).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('checks the copy source against the role', async () => {
    // Act: the reconciler may copy an upload onto itself, not read a kept original.
    const copy = await failureOf(
      clientOf(keysOf('reconciler')).send(new CopyObjectCommand({ Bucket: bucketName, Key: 'uploads/copied', CopySource: `${bucketName}/images/kept` })),
    );

    // Assess
    expect(copy).toMatchObject({ name: 'AccessDenied', message: denial('reconciler', 's3:GetObject', `arn:aws:s3:::${bucketName}/images/kept`) });
  });

  it('decides every key of a DeleteObjects: deletes the allowed ones and reports each denied one, as S3 does', async () => {
    // Prepare: the deleter's role may delete under uploads/, images/ and thumbnails/, nothing else
    const administrator = clientOf(admin);
    for (const key of ['uploads/a', 'elsewhere/b', 'thumbnails/c', 'elsewhere/d']) await administrator.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: key }));
    const deleter = clientOf(keysOf('deleteImage'));
    const deniedEntry = (key: string) => ({ Key: key, Code: 'AccessDenied', Message: 'Access Denied' });

    // Act
    const verbose = await deleter.send(
      new DeleteObjectsCommand({ Bucket: bucketName, Delete: { Objects: [{ Key: 'uploads/a' }, { Key: 'elsewhere/b' }, { Key: 'elsewhere/missing' }] } }),
    );
    const quiet = await deleter.send(
      new DeleteObjectsCommand({ Bucket: bucketName, Delete: { Objects: [{ Key: 'thumbnails/c' }, { Key: 'elsewhere/d' }], Quiet: true } }),
    );

    // Assess: 200 both times; a denied key is an Error entry whether it exists or not, and Quiet mode keeps errors
    expect(verbose.$metadata.httpStatusCode).toBe(200);
    expect(verbose.Deleted).toEqual([{ Key: 'uploads/a' }]);
    expect(verbose.Errors).toEqual([deniedEntry('elsewhere/b'), deniedEntry('elsewhere/missing')]);
    expect(quiet.$metadata.httpStatusCode).toBe(200);
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(quiet.Errors).toEqual([deniedEntry('elsewhere/d')]);
    expect(await localS3.s3.readObject(bucketName, 'uploads/a')).toBeUndefined();
    expect(await localS3.s3.readObject(bucketName, 'thumbnails/c')).toBeUndefined();
    expect((await localS3.s3.readObject(bucketName, 'elsewhere/b'))?.toString()).toBe('elsewhere/b');
    expect((await localS3.s3.readObject(bucketName, 'elsewhere/d'))?.toString()).toBe('elsewhere/d');
  });

  it("applies the signer's policy to a presigned URL", async () => {
    // Prepare
    const presign = (name: LambdaFunctionName, key: string) =>
      getSignedUrl(clientOf(keysOf(name)), new PutObjectCommand({ Bucket: bucketName, Key: key }), { expiresIn: 60 });

    // Act
    const allowed = await fetch(await presign('presignUpload', 'uploads/presigned'), { method: 'PUT', body: 'uploaded' });
    const refused = await fetch(await presign('presignDownload', 'uploads/presigned-2'), { method: 'PUT', body: 'uploaded' });

    // Assess
    expect(allowed.status).toBe(200);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>AccessDenied</Code>');
  });

  it("accepts a function's session keys only with their token, as S3 does", async () => {
    // Prepare: the same keys without their token, and with another function's
    const keys = keysOf('presignDownload');
    const { sessionToken: _, ...keysAlone } = keys;
    const read = (credentials: LocalCredentials) => clientOf(credentials).send(new GetObjectCommand({ Bucket: bucketName, Key: 'images/kept' }));

    // Act
    const withToken = await read(keys);
    const withoutToken = await failureOf(read(keysAlone));
    const otherToken = await failureOf(read({ ...keys, sessionToken: keysOf('reconciler').sessionToken }));
    const longTermWithToken = await failureOf(read({ ...admin, sessionToken: keys.sessionToken }));

    // Assess: S3 does not know session keys without their token, and refuses a token that is not theirs
    expect(keys.sessionToken).toBeTruthy();
    expect(await withToken.Body?.transformToString()).toBe('kept bytes');
    expect(withoutToken).toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
    expect(otherToken).toMatchObject({ name: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.', $metadata: { httpStatusCode: 400 } });
    expect(longTermWithToken).toMatchObject({ name: 'InvalidToken', $metadata: { httpStatusCode: 400 } });
  });

  it("checks a presigned URL's X-Amz-Security-Token", async () => {
    // Prepare: an upload URL signed with the presign function's session credentials carries its token
    const url = new URL(
      await getSignedUrl(clientOf(keysOf('presignUpload')), new PutObjectCommand({ Bucket: bucketName, Key: 'uploads/with-token' }), { expiresIn: 60 }),
    );
    const withoutToken = new URL(url);
    withoutToken.searchParams.delete('X-Amz-Security-Token');
    const otherToken = new URL(url);
    otherToken.searchParams.set('X-Amz-Security-Token', keysOf('reconciler').sessionToken ?? '');

    // Act
    const put = (target: URL) => fetch(target, { method: 'PUT', body: 'uploaded' });
    const refusedWithout = await put(withoutToken);
    const refusedOther = await put(otherToken);
    const allowed = await put(url);

    // Assess
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(keysOf('presignUpload').sessionToken);
    expect([refusedWithout.status, await refusedWithout.text()]).toEqual([403, expect.stringContaining('<Code>InvalidAccessKeyId</Code>')]);
    const otherBody = await refusedOther.text();
    expect([refusedOther.status, otherBody]).toEqual([400, expect.stringContaining('<Code>InvalidToken</Code>')]);
    expect(otherBody).toContain(`<Token-0>${keysOf('reconciler').sessionToken ?? ''}</Token-0>`);
    expect(allowed.status).toBe(200);
  });
});

describe('local DynamoDB with function roles', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-enforce-dynamodb-'));
  let dynamodb: LocalDynamoDb;
  const clientOf = (credentials: LocalCredentials) => new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials, maxAttempts: 1 });
  const tableArn = `arn:aws:dynamodb:${region}:000000000000:table/${tableName}`;
  const byStatus = {
    TableName: tableName,
    IndexName: ImagesTableLayout.byStatusIndex.indexName,
    KeyConditionExpression: '#s = :s',
    ExpressionAttributeNames: { '#s': ImagesTableLayout.byStatusIndex.partitionKey },
    ExpressionAttributeValues: { ':s': { S: 'PENDING' } },
  };

  beforeAll(async () => {
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: identities.directory });
    await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials: admin });
  });
  afterAll(async () => {
    await dynamodb?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the actions and index the role allows', async () => {
    // Act
    const item = await clientOf(keysOf('labelingFailed')).send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'IMAGE#x' }, sk: { S: 'IMAGE' } } }));
    const pending = await clientOf(keysOf('reconciler')).send(new QueryCommand(byStatus));

    // Assess
    expect(item.Item).toBeUndefined();
    expect(pending.Items).toEqual([]);
  });

  it('refuses an action or index outside the role with AccessDeniedException', async () => {
    // Act
    const deleteItem = await failureOf(
      clientOf(keysOf('labelingFailed')).send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'IMAGE#x' }, sk: { S: 'IMAGE' } } })),
    );
    const index = await failureOf(clientOf(keysOf('labelingFailed')).send(new QueryCommand(byStatus)));

    // Assess
    expect(deleteItem).toMatchObject({ name: 'AccessDeniedException', message: denial('labelingFailed', 'dynamodb:DeleteItem', tableArn) });
    expect(deleteItem?.$metadata?.httpStatusCode).toBe(400);
    expect(index).toMatchObject({
      name: 'AccessDeniedException',
      message: denial('labelingFailed', 'dynamodb:Query', `${tableArn}/index/${ImagesTableLayout.byStatusIndex.indexName}`),
    });
  });

  it('refuses the same over the in-process transport, in the body DynamoDB sends', async () => {
    // Prepare
    const request = await signedDynamoDbRequest(dynamodb.endpoint, 'Query', byStatus, { region, credentials: keysOf('labelingFailed') });

    // Act
    const response = await dynamodb.transport(request);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: denial('labelingFailed', 'dynamodb:Query', `${tableArn}/index/${ImagesTableLayout.byStatusIndex.indexName}`),
    });
  });

  it('refuses a signature made with the wrong secret, and an unknown key', async () => {
    // Act
    const forged = await failureOf(clientOf({ ...keysOf('reconciler'), secretAccessKey: 'not-the-secret-0123456789abcdefghijklmnop' }).send(new QueryCommand(byStatus)));
    const unknown = await failureOf(clientOf({ accessKeyId: 'LKIANOBODY000000001', secretAccessKey: 'whatever' }).send(new QueryCommand(byStatus)));

    // Assess
    expect(forged).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
    expect(unknown).toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("refuses a function's session keys without their token, or with another", async () => {
    // Act
    const { sessionToken: _, ...keysAlone } = keysOf('reconciler');
    const withoutToken = await failureOf(clientOf(keysAlone).send(new QueryCommand(byStatus)));
    const otherToken = await failureOf(clientOf({ ...keysOf('reconciler'), sessionToken: keysOf('labelingFailed').sessionToken }).send(new QueryCommand(byStatus)));

    // Assess: DynamoDB words both as an unknown security token
    for (const refusal of [withoutToken, otherToken]) {
      expect(refusal).toMatchObject({
        name: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
        $metadata: { httpStatusCode: 400 },
      });
    }
  });
});

describe('local Rekognition with function roles', () => {
  let rekognition: LocalRekognition;
  const objectsRead: string[] = [];
  const clientOf = (credentials: LocalCredentials) => new RekognitionClient({ endpoint: rekognition.endpoint, region, credentials, maxAttempts: 1 });
  const s3Image = (key: string) => ({ Image: { S3Object: { Bucket: bucketName, Name: key } } });

  beforeAll(async () => {
    rekognition = await startLocalRekognition({
      port: 0,
      region,
      credentials: identities.directory,
      admin: credentialStore(admin),
      // No object exists: what matters is whether Rekognition reads it for the caller.
      readObject: async (_bucket, key) => {
        objectsRead.push(key);
        return undefined;
      },
    });
  });
  afterAll(async () => {
    await rekognition?.close();
  });

  it('refuses an operation outside the role with AccessDeniedException', async () => {
    // Act
    const error = await failureOf(clientOf(keysOf('reconciler')).send(new DetectLabelsCommand(s3Image('uploads/a'))));

    // Assess
    expect(error).toMatchObject({ name: 'AccessDeniedException', message: denial('reconciler', 'rekognition:DetectLabels', '*') });
    expect(error?.$metadata?.httpStatusCode).toBe(400);
  });

  it("reads an S3 object with the caller's permissions", async () => {
    // Act: the labeler may get uploads/, not kept originals.
    const allowed = await failureOf(clientOf(keysOf('labeler')).send(new DetectLabelsCommand(s3Image('uploads/a'))));
    const refused = await failureOf(clientOf(keysOf('labeler')).send(new DetectLabelsCommand(s3Image('images/a'))));

    // Assess
    expect(objectsRead).toEqual(['uploads/a']);
    expect(allowed).toMatchObject({ name: 'InvalidS3ObjectException' });
    expect(refused).toMatchObject({
      name: 'InvalidS3ObjectException',
      message: 'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
    });
  });
});

describe('local Lambda Invoke with function roles', () => {
  let api: LocalLambdaApi;
  const invoked: string[] = [];
  const clientOf = (credentials: LocalCredentials) => new LambdaClient({ endpoint: api.endpoint, region, credentials, maxAttempts: 1 });

  beforeAll(async () => {
    api = await startLocalLambdaApi<LambdaFunctionName>({
      port: 0,
      region,
      credentials: identities.directory,
      functions: ['labelingFailed', 'reconciler'],
      runtime: {
        invoke: async (name) => {
          invoked.push(name);
          return { ok: true };
        },
        invokeAsync: async () => undefined,
      },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('refuses an invoke the role does not declare with AccessDeniedException, and lets the administrator invoke', async () => {
    // Act: no function invokes another (labeling-failed is fed by the dead-letter queue, api/labeling-queue.ts)
    const refused = await failureOf(clientOf(keysOf('labeler')).send(new InvokeCommand({ FunctionName: 'labelingFailed', Payload: '{}' })));
    await clientOf(admin).send(new InvokeCommand({ FunctionName: 'reconciler', Payload: '{}' }));

    // Assess
    expect(invoked).toEqual(['reconciler']);
    expect(refused).toMatchObject({
      name: 'AccessDeniedException',
      message: denial('labeler', 'lambda:InvokeFunction', `arn:aws:lambda:${region}:000000000000:function:labelingFailed`),
      $metadata: { httpStatusCode: 403 },
    });
  });
});
