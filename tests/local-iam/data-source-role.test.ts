/**
 * The local AppSync's DynamoDB data source signs with its own service role,
 * derived from the bundled code of its resolvers (local/iam/data-source-roles.ts,
 * api/data-source-access.ts), and the local DynamoDB authorizes it as DynamoDB
 * authorizes AppSync's assumed role: what the project's resolvers issue is
 * served; an operation or index no resolver names is refused, and the data
 * source reports it to the response handler as AppSync does
 * (`DynamoDB:DynamoDbException`, IAM's wording, "(Service: DynamoDb, …)").
 * A real local DynamoDB, the data sources as the local AppSync builds them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields } from '../../api/manifest.ts';
import { ImagesTableLayout } from '../../api/table.ts';
import { createDataSources, type DataSources } from '../../local/appsync/data-sources/index.ts';
import { createCodeLoader, preloadCode } from '../../local/appsync/resolvers/code-loader.ts';
import { ensureImagesTable, startLocalDynamoDb, type LocalDynamoDb } from '../../local/dynamodb/index.ts';
import type { LocalCredentials } from '../../local/iam/credentials.ts';
import { localIdentities } from '../../local/iam/function-roles.ts';

const region = 'us-east-1';
const tableName = 'labelcast-data-source-role';
const admin: LocalCredentials = { accessKeyId: 'LKIADATASOURCEADMIN1', secretAccessKey: 'data-source-admin-secret-0123456789abcdef' };
const tableArn = `arn:aws:dynamodb:${region}:000000000000:table/${tableName}`;
const roleArn = 'arn:aws:sts::000000000000:assumed-role/labelcast-imagesTable-data-source-role/APPSYNC_ASSUME_ROLE';

const queryOn = (index: { indexName: string; partitionKey: string }) => ({
  operation: 'Query',
  index: index.indexName,
  query: { expression: '#k = :k', expressionNames: { '#k': index.partitionKey }, expressionValues: { ':k': { S: 'x' } } },
});

/** AppSync's wording of a refusal by the data source's role. */
const accessDenied = (action: string, resource: string) =>
  new RegExp(
    `^${`User: ${roleArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`.replace(
      /[.*+?^${}()|[\]\\]/g,
      '\\$&',
    )} \\(Service: DynamoDb, Status Code: 400, Request ID: \\S+\\)$`,
  );

describe('the local AppSync DynamoDB data source, signing with its derived role', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'labelcast-data-source-role-'));
  let dynamodb: LocalDynamoDb;
  let dataSources: DataSources;

  beforeAll(async () => {
    const loader = createCodeLoader();
    preloadCode(loader, fields);
    const identities = localIdentities(admin, { region, bucketName: 'unused', tableName }, (file) => loader.bundleText(file));
    dynamodb = await startLocalDynamoDb({ dataDir, port: 0, region, credentials: identities.directory });
    await ensureImagesTable({ endpoint: dynamodb.endpoint, tableName, region, credentials: admin });
    dataSources = createDataSources({
      dynamoDb: { endpoint: dynamodb.endpoint, region, credentials: admin, roleCredentials: identities.dataSourceCredentials, transport: dynamodb.transport },
      tableNames: { imagesTable: tableName },
      invokeLambda: async () => null,
      tokenSecret: 'data-source-role-test',
    });
  });
  afterAll(async () => {
    await dynamodb?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves what the project resolvers issue: GetItem on the table, Query on the table and byOwner', async () => {
    // Act
    const item = await dataSources.invoke('imagesTable', { operation: 'GetItem', key: { pk: { S: 'IMAGE#x' }, sk: { S: 'IMAGE' } } });
    const byOwner = await dataSources.invoke('imagesTable', queryOn(ImagesTableLayout.byOwnerIndex));

    // Assess
    expect(item).toEqual({ result: null });
    expect(byOwner.error).toBeUndefined();
    expect(byOwner.result).toMatchObject({ items: [] });
  });

  it('refuses a Query on an index no resolver was granted (byStatus), as AppSync reports it', async () => {
    // Act
    const outcome = await dataSources.invoke('imagesTable', queryOn(ImagesTableLayout.byStatusIndex));

    // Assess
    expect(outcome.result).toBeNull();
    expect(outcome.error?.type).toBe('DynamoDB:DynamoDbException');
    expect(outcome.error?.message).toMatch(accessDenied('dynamodb:Query', `${tableArn}/index/${ImagesTableLayout.byStatusIndex.indexName}`));
  });

  it('refuses an operation no resolver issues (DeleteItem)', async () => {
    // Act
    const outcome = await dataSources.invoke('imagesTable', { operation: 'DeleteItem', key: { pk: { S: 'IMAGE#x' }, sk: { S: 'IMAGE' } } });

    // Assess
    expect(outcome.error?.type).toBe('DynamoDB:DynamoDbException');
    expect(outcome.error?.message).toMatch(accessDenied('dynamodb:DeleteItem', tableArn));
  });
});
