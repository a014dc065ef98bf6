/** A real in-memory dynalite with the images table layout, and a resolver runtime on it. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { FieldWiring, LambdaFunctionName } from '../../api/manifest.ts';
import { ImagesTableLayout, type IndexLayout } from '../../api/table.ts';
import { createResolverRuntime, type LocalResolverRuntime, type ResolveFieldArgs } from '../../local/appsync/resolvers/index.ts';
import { imagesTableDefinition } from '../../local/dynamodb/index.ts';

// dynalite ships no type declarations; it is a CommonJS factory of an http.Server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server;

export const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
export const region = 'us-east-1';
export const tableName = 'labelcast-test';

/** The fixtures' own index (fixtures/*.js Query it), beside the real ones. */
const fixtureIndex: IndexLayout = { indexName: 'byGroup', partitionKey: 'group', sortKey: 'sortKey', projection: { type: 'ALL' } };

export interface Harness {
  readonly runtime: LocalResolverRuntime;
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startHarness(
  invokeLambda: (name: LambdaFunctionName, payload: unknown) => Promise<unknown>,
  tokenSecret = 'test-secret',
): Promise<Harness> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region, credentials });
  // The real table (ImagesTableLayout), plus an index of the fixtures' own.
  await client.send(new CreateTableCommand(imagesTableDefinition(tableName, [fixtureIndex])));
  const runtime = createResolverRuntime({
    dynamoDb: { endpoint, region, credentials },
    tableNames: { imagesTable: tableName },
    // BatchGetItem names the table (api/table.ts).
    environmentVariables: { [ImagesTableLayout.tableNameVariable]: tableName },
    invokeLambda,
    tokenSecret,
  });
  return {
    runtime,
    client,
    endpoint,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const fixtures = 'tests/local-appsync-runtime/fixtures';

export function unitField(typeName: FieldWiring['typeName'], fieldName: string, fixture: string, dataSource: 'imagesTable' | 'none' | 'presignUploadFunction'): FieldWiring {
  return { typeName, fieldName, kind: 'UNIT', auth: ['API_KEY'], code: `${fixtures}/${fixture}.ts`, dataSource };
}

export function pipelineField(fieldName: string, steps: { fixture: string; dataSource: 'imagesTable' | 'none' | 'presignUploadFunction' }[]): FieldWiring {
  return {
    typeName: 'Mutation',
    fieldName,
    kind: 'PIPELINE',
    auth: ['API_KEY'],
    code: `${fixtures}/pipeline-before.ts`,
    steps: steps.map((step) => ({ name: step.fixture, code: `${fixtures}/${step.fixture}.ts`, dataSource: step.dataSource })),
  };
}

export function fieldArgs(wiring: FieldWiring, args: Record<string, unknown>, identity: Record<string, unknown> | null = null): ResolveFieldArgs {
  return {
    wiring,
    arguments: args,
    source: null,
    identity,
    info: {
      fieldName: wiring.fieldName,
      parentTypeName: wiring.typeName,
      variables: {},
      selectionSetList: [],
      selectionSetGraphQL: '',
    },
    request: { headers: { 'x-test': '1' }, domainName: null },
  };
}
