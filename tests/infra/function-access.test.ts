/**
 * Every function's role, as synthesized, allows what its code does.
 *
 * Each function runs its real paths (labeler, labeling-failed, reconciler,
 * delete-image, the presigners) against a real local S3 and a dynalite with
 * the images table, Rekognition stubbed; middleware on their SDK clients
 * records every command sent. Each command's IAM action, resource and
 * condition keys (tests/infra/sdk-calls.ts) must be allowed by that
 * function's role in the CDK template (tests/infra/iam-policy.ts). A role
 * missing an action its code uses fails here, as it would fail on AWS.
 *
 * Then the roles and environments are checked to be derived from
 * api/access.ts and nothing else.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessOf, policyStatementsFor, type PolicyStatementJson } from '../../api/access.ts';
import { lambdaFunctions, tuningEnvironmentOf, type LambdaFunctionName } from '../../api/manifest.ts';
import { originalKeyFor, thumbnailKeyFor, uploadKeyFor } from '../../api/media.ts';
import { awaitingRecovery, imageKey } from '../../api/table.ts';
import type { Image, Label } from '../../api/types.ts';
import { deleteImage } from '../../functions/delete-image/delete-image.ts';
import { completeImage } from '../../functions/shared/image-store.ts';
import { labelImage } from '../../functions/labeler/label-image.ts';
import { publishImageLabeledMutation, type Publisher } from '../../functions/shared/appsync-publisher.ts';
import { s3ThumbnailWriter } from '../../functions/labeler/thumbnail.ts';
import { markImageFailed } from '../../functions/shared/mark-image-failed.ts';
import { presignDownload } from '../../functions/presign-download/presign.ts';
import { presignUpload } from '../../functions/presign-upload/presign.ts';
import { reconcile, ReconcileSettings } from '../../functions/reconciler/reconcile.ts';
import type { TableStore } from '../../functions/shared/table-store.ts';
import { Stage } from '../../infra/stage.ts';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startLocalS3, type LocalS3 } from '../../local/s3/index.ts';
import { startImagesTable, tableName, credentials, region, type ImagesTable } from '../functions/images-table.ts';
import { functionLogicalId, isAllowed, resolveValue, resourceNames, roleStatements, type ResourceNames, type ResolvedStatement } from './iam-policy.ts';
import { graphqlRequests, recording, requestsFor, type SentCommand } from './sdk-calls.ts';
import { synthStage } from './synth.ts';
import type { CfnElement } from 'aws-cdk-lib/core';
import { QueueName, queuesConsumedBy } from '../../api/labeling-queue.ts';

const bucketName = 'labelcast-uploads';
const apiId = 'testapi';
const cat = readFileSync('tests/fixtures/cat.jpg');
const logger = new Logger({ serviceName: 'access-test', logLevel: 'SILENT' });

let template: Template;
let queueLogicalIds: Record<QueueName, string>;
let names: ResourceNames;
let s3Server: LocalS3;
let s3DataDir: string;
let table: ImagesTable;
let admin: S3Client;

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const onlyResourceOf = (type: string) => {
  const ids = Object.entries(template.toJSON().Resources as Resources).filter(([, resource]) => resource.Type === type).map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
};

// A synth (the first in its worker loads aws-cdk-lib) and two local services: over a minute on 2 loaded cores.
beforeAll(async () => {
  const synthesized = synthStage(Stage.DEV);
  template = synthesized.template;
  const { stack } = synthesized.labelcast;
  queueLogicalIds = {
    [QueueName.labeling]: stack.getLogicalId(stack.labeler.queue.node.defaultChild as CfnElement),
    [QueueName.labelingDeadLetters]: stack.getLogicalId(stack.labeler.deadLetterQueue.node.defaultChild as CfnElement),
  };
  names = resourceNames({
    [onlyResourceOf('AWS::S3::Bucket')]: bucketName,
    [onlyResourceOf('AWS::DynamoDB::Table')]: tableName,
    [onlyResourceOf('AWS::AppSync::GraphQLApi')]: apiId,
  });
  s3DataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-access-'));
  s3Server = await startLocalS3({
    dataDir: s3DataDir,
    port: 0,
    region,
    credentials: credentialStore(credentials),
    buckets: [{ name: bucketName }],
    maxObjectBytes: 15 * 1024 * 1024,
    onObjectCreated: () => undefined,
  });
  table = await startImagesTable();
  admin = new S3Client({ endpoint: s3Server.endpoint, region, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
}, 180_000);

afterAll(async () => {
  admin?.destroy();
  await table?.close();
  await s3Server?.close();
  if (s3DataDir) rmSync(s3DataDir, { recursive: true, force: true });
});

/** What one function sent, on clients built as its handler builds them, each with the recording middleware. */
function recordedClients() {
  const sent: SentCommand[] = [];
  const s3 = recording(new S3Client({ endpoint: s3Server.endpoint, region, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' }), 's3', sent);
  const dynamoDb = recording(new DynamoDBClient({ endpoint: table.endpoint, region, credentials }), 'dynamodb', sent);
  const store: TableStore = { documentClient: DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } }), tableName };
  const published: string[] = [];
  // The publisher's SigV4 POST is not an SDK command: it sends publishImageLabeledMutation, whatever fields that names.
  const publisher: Publisher = { publish: async (image) => void published.push(image.id) };
  return { sent, s3, store, publisher, published };
}

/** Rekognition stubbed after the recorder: the commands are recorded, then answered with a cat. */
function stubbedRekognition(sent: SentCommand[]): RekognitionClient {
  const client = recording(new RekognitionClient({ region, credentials }), 'rekognition', sent);
  const answers: Record<string, unknown> = {
    DetectLabelsCommand: {
      Labels: [{ Name: 'Cat', Confidence: 97.5, Parents: [{ Name: 'Animal' }], Aliases: [{ Name: 'Kitten' }], Categories: [], Instances: [] }],
    },
    DetectModerationLabelsCommand: { ModerationLabels: [] },
  };
  client.middlewareStack.add(
    (_next, context) => async () => ({ output: { ...(answers[context.commandName ?? ''] as object), $metadata: {} }, response: {} }),
    { step: 'initialize', name: 'answerWithCat' },
  );
  return client;
}

/** The permissions a function's recorded commands need that its synthesized role does not grant. */
function deniedFor(name: LambdaFunctionName, sent: readonly SentCommand[], publishes: boolean): string[] {
  const statements = roleStatements(template, name, names);
  const requests = [...sent.flatMap(requestsFor), ...(publishes ? graphqlRequests(publishImageLabeledMutation, apiId) : [])];
  return requests
    .filter((request) => !isAllowed(statements, request))
    .map((request) => `${request.action} on ${request.resource}${request.context ? ` ${JSON.stringify(request.context)}` : ''}`);
}

const commandsOf = (sent: readonly SentCommand[]) => [...new Set(sent.map((call) => `${call.command}${call.error ? `:${call.error}` : ''}`))].sort();

let next = 0;
async function pendingImage(args: { readonly sizeBytes?: number; readonly createdAt?: string } = {}): Promise<Image> {
  next += 1;
  const image: Image = {
    id: `access-${next}-${Date.now()}`,
    status: 'PENDING',
    contentType: 'image/jpeg',
    sizeBytes: args.sizeBytes ?? cat.byteLength,
    createdAt: args.createdAt ?? new Date().toISOString(),
    labels: [],
    moderationLabels: [],
    owner: 'API_KEY',
  } as Image;
  // As requestUpload records it, keyed in the sparse byStatus index.
  await table.store.documentClient.send(new PutCommand({ TableName: tableName, Item: { ...imageKey(image.id), ...image, ...awaitingRecovery() } }));
  return image;
}

/** Uploads the cat for `image`; its ETag (unquoted, as S3 events carry it), which the labeler pins its reads to. */
async function upload(image: Image): Promise<string> {
  const put = await admin.send(new PutObjectCommand({ Bucket: bucketName, Key: uploadKeyFor(image.id), Body: cat, ContentType: 'image/jpeg' }));
  return (put.ETag ?? '').replaceAll('"', '');
}

const catLabel: Label = { name: 'Cat', confidence: 97.5, parents: ['Animal'], aliases: ['Kitten'], categories: [], instances: [] };

describe('Function roles allow every command the functions send', () => {
  it('the labeler: labels an upload, then finishes it again on a duplicate event', async () => {
    // Prepare
    const image = await pendingImage();
    const eTag = await upload(image);
    const { sent, s3, store, publisher } = recordedClients();
    const deps = { store, s3, publisher, logger, rekognition: stubbedRekognition(sent), thumbnails: s3ThumbnailWriter(s3) };
    const object = { bucket: bucketName, key: uploadKeyFor(image.id), imageId: image.id, sizeBytes: cat.byteLength, eTag };

    // Act
    const first = await labelImage(deps, object);
    const duplicate = await labelImage(deps, object);

    // Assess: the paths ran (detection, kept original, thumbnail, entries), and the role allows all of it.
    expect([first, duplicate]).toEqual(['labeled', 'duplicate']);
    expect(commandsOf(sent)).toEqual(expect.arrayContaining(['DetectLabelsCommand', 'CopyObjectCommand', 'PutObjectCommand', 'BatchWriteItemCommand']));
    expect(deniedFor('labeler', sent, true)).toEqual([]);
  });

  it('the labeler: removes what an upload URL stored for an image deleted meanwhile', async () => {
    // Prepare: an upload whose image record is gone (deleteImage ran while its URL was still valid).
    const image = await pendingImage();
    const eTag = await upload(image);
    await table.store.documentClient.send(new DeleteCommand({ TableName: tableName, Key: imageKey(image.id) }));
    const { sent, s3, store, publisher } = recordedClients();
    const deps = { store, s3, publisher, logger, rekognition: stubbedRekognition(sent), thumbnails: s3ThumbnailWriter(s3) };

    // Act
    const outcome = await labelImage(deps, { bucket: bucketName, key: uploadKeyFor(image.id), imageId: image.id, sizeBytes: cat.byteLength, eTag });

    // Assess
    expect(outcome).toBe('unknown-image');
    expect(commandsOf(sent)).toEqual(expect.arrayContaining(['DeleteObjectCommand']));
    expect(deniedFor('labeler', sent, false)).toEqual([]);
  });

  it('labeling-failed: fails a PENDING image, and finishes a LABELED one whose labeler died before its push', async () => {
    // Prepare: the second image was ended by a labeler run whose push lease has long lapsed.
    const pending = await pendingImage();
    const ended = await pendingImage();
    const longAgo = new Date(Date.now() - 3_600_000);
    await completeImage(table.store, { ...ended, status: 'LABELED', labels: [catLabel], labeledAt: longAgo.toISOString() }, longAgo);
    const { sent, store, publisher, published } = recordedClients();

    // Act
    const outcomes = [await markImageFailed({ store, publisher, logger }, pending.id, 'labelling failed after 3 attempts: Error'), await markImageFailed({ store, publisher, logger }, ended.id, 'late')];

    // Assess
    expect(outcomes).toEqual(['failed', 'already-terminal']);
    expect(published).toEqual([pending.id, ended.id]);
    expect(commandsOf(sent)).toEqual(expect.arrayContaining(['BatchWriteItemCommand', 'GetItemCommand', 'UpdateItemCommand']));
    expect(deniedFor('labelingFailed', sent, true)).toEqual([]);
  });

  it('the reconciler: re-drives an upload and fails a ticket never uploaded (its HeadObject a 404)', async () => {
    // Prepare
    const longAgo = new Date(Date.now() - 3_600_000).toISOString();
    const uploaded = await pendingImage({ createdAt: longAgo });
    await upload(uploaded);
    const ticket = await pendingImage({ createdAt: longAgo });
    const { sent, s3, store, publisher, published } = recordedClients();

    // Act: a run as of when the upload's event can no longer be in the labelling queue (its object's LastModified
    // plus redriveAfterSeconds, functions/reconciler/reconcile.ts), and a few seconds on
    const summary = await reconcile({ store, s3, bucket: bucketName, publisher, logger }, { now: new Date(Date.now() + (ReconcileSettings.redriveAfterSeconds + 2) * 1000) });

    // Assess
    expect(summary).toMatchObject({ errors: 0 });
    expect(summary.redriven).toBeGreaterThanOrEqual(1);
    expect(published).toContain(ticket.id);
    expect(commandsOf(sent)).toEqual(expect.arrayContaining(['HeadObjectCommand', 'HeadObjectCommand:NotFound', 'CopyObjectCommand', 'QueryCommand']));
    expect(deniedFor('reconciler', sent, true)).toEqual([]);
  });

  it('delete-image: deletes a labelled image, its entries, counts and objects', async () => {
    // Prepare: a labelled image, as the labeler leaves it.
    const image = await pendingImage();
    const eTag = await upload(image);
    const labeler = recordedClients();
    const object = { bucket: bucketName, key: uploadKeyFor(image.id), imageId: image.id, sizeBytes: cat.byteLength, eTag };
    const labelDeps = { ...labeler, logger, rekognition: stubbedRekognition(labeler.sent), thumbnails: s3ThumbnailWriter(labeler.s3) };
    expect(await labelImage(labelDeps, object)).toBe('labeled');
    const { sent, s3, store } = recordedClients();

    // Act
    const result = await deleteImage({ store, s3, bucket: bucketName }, { imageId: image.id });

    // Assess
    expect(result.deleted?.id).toBe(image.id);
    expect(commandsOf(sent)).toEqual(expect.arrayContaining(['GetItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand', 'DeleteObjectCommand']));
    expect(deniedFor('deleteImage', sent, false)).toEqual([]);
  });

  it('the presigners: an upload URL, and read URLs for an original and a thumbnail', async () => {
    // Prepare
    const uploadClients = recordedClients();
    const downloadClients = recordedClients();

    // Act
    await presignUpload({ s3: uploadClients.s3, bucket: bucketName, request: { objectKey: uploadKeyFor('presigned'), contentType: 'image/jpeg', sizeBytes: 10 } });
    for (const objectKey of [originalKeyFor('presigned'), thumbnailKeyFor('presigned')]) {
      await presignDownload({ s3: downloadClients.s3, bucket: bucketName, request: { objectKey } });
    }

    // Assess
    expect(commandsOf(uploadClients.sent)).toEqual(['PutObjectCommand']);
    expect(commandsOf(downloadClients.sent)).toEqual(['GetObjectCommand']);
    expect(deniedFor('presignUpload', uploadClients.sent, false)).toEqual([]);
    expect(deniedFor('presignDownload', downloadClients.sent, false)).toEqual([]);
  });
});

/** Statements Lambda features add to every role besides the declared access: tracing (Active on every function). */
const isPlatformStatement = (statement: ResolvedStatement): boolean => statement.Action.every((action) => action.startsWith('xray:'));

const normalized = (statement: PolicyStatementJson | ResolvedStatement) =>
  JSON.stringify({ Action: [...statement.Action].sort(), Resource: [...statement.Resource].sort(), Condition: statement.Condition ?? null });

describe('Function roles and environments are derived from api/access.ts', () => {
  const functionNames = Object.keys(lambdaFunctions) as LambdaFunctionName[];

  it.each(functionNames)('%s: its role holds exactly the declared statements (besides tracing and destinations)', (name) => {
    // Prepare
    const arnOf = (id: string, type: string) => names.attribute(id, type, 'Arn');
    const declared = policyStatementsFor(name, {
      bucket: arnOf(onlyResourceOf('AWS::S3::Bucket'), 'AWS::S3::Bucket'),
      table: arnOf(onlyResourceOf('AWS::DynamoDB::Table'), 'AWS::DynamoDB::Table'),
      graphqlApi: arnOf(onlyResourceOf('AWS::AppSync::GraphQLApi'), 'AWS::AppSync::GraphQLApi'),
      functions: Object.fromEntries(accessOf(name).invoke.map((target) => [target, arnOf(functionLogicalId(template, target), 'AWS::Lambda::Function')])),
      queues: Object.fromEntries(queuesConsumedBy(name).map((queue) => [queue, arnOf(queueLogicalIds[queue], 'AWS::SQS::Queue')])),
    });

    // Act
    const granted = roleStatements(template, name, names).filter((statement) => !isPlatformStatement(statement));

    // Assess
    expect(granted.every((statement) => statement.Effect === 'Allow')).toBe(true);
    expect(granted.map(normalized).sort()).toEqual(declared.map(normalized).sort());
  });

  it.each(functionNames)('%s: its environment is the declared variables, its tuning, and what Lambda and Powertools read', (name) => {
    // Prepare
    const resources = template.toJSON().Resources as Resources;
    const fn = resources[functionLogicalId(template, name)]!;
    const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;

    // Act
    const resolved = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, resolveValue(value, resources, names)]));

    // Assess
    expect(Object.keys(resolved).sort()).toEqual(
      ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', ...Object.keys(tuningEnvironmentOf(name)), ...Object.keys(accessOf(name).environment)].sort(),
    );
    for (const [variable, value] of Object.entries(tuningEnvironmentOf(name))) expect(resolved[variable], variable).toBe(value);
    const sources = accessOf(name).environment;
    for (const [variable, source] of Object.entries(sources)) {
      // imageProperties: the synthesized default, off (cdk.json sets no context).
      const expected = { bucketName, tableName, graphqlUrl: undefined, callbackSecret: undefined, imageProperties: 'false' }[source];
      if (expected !== undefined) expect(resolved[variable], variable).toBe(expected);
    }
  });
});
