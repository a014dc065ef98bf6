/**
 * The data sources of api/manifest.ts, ready to take the request objects
 * that resolver request handlers return.
 */
import { dataSources, type DataSourceName } from '../../../api/manifest.ts';
import type { DynamoDbTransport } from '../../dynamodb/in-process.ts';
import { createDynamoDbDataSource } from './dynamodb.ts';
import { dynamoDbJsonClient } from './dynamodb-wire.ts';
import { createLambdaDataSource, type InvokeLambda } from './lambda.ts';
import { createNextTokenCodec } from './next-token.ts';
import type { DataSourceOutcome } from './types.ts';

export type { DataSourceError } from './errors.ts';
export type { DataSourceOutcome } from './types.ts';

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface DataSourcesOptions {
  readonly dynamoDb: {
    readonly endpoint: string;
    readonly region: string;
    /** The key pair a data source signs with when `roleCredentials` names none. */
    readonly credentials: Credentials;
    /**
     * Each DYNAMODB data source's own key pair: its service role, as AppSync assumes a data source's role on AWS
     * (local/iam/data-source-roles.ts), so DynamoDB authorizes its calls against that role.
     * @default `credentials` for every data source
     */
    readonly roleCredentials?: Readonly<Partial<Record<DataSourceName, Credentials>>>;
    /** Delivers requests without a socket when DynamoDB runs in this process. @default HTTP to `endpoint` */
    readonly transport?: DynamoDbTransport;
  };
  /** DYNAMODB data source name → table name. */
  readonly tableNames: { readonly imagesTable: string };
  readonly invokeLambda: InvokeLambda;
  readonly tokenSecret: string;
}

export interface DataSources {
  /** Runs one request object against the named data source. Throws InvalidRequestError for requests AppSync would refuse. */
  invoke(name: DataSourceName, request: unknown): Promise<DataSourceOutcome>;
}

export function createDataSources(options: DataSourcesOptions): DataSources {
  const tokens = createNextTokenCodec(options.tokenSecret);
  const invokers = new Map<DataSourceName, (request: unknown) => Promise<DataSourceOutcome>>();
  for (const [name, spec] of Object.entries(dataSources) as [DataSourceName, (typeof dataSources)[DataSourceName]][]) {
    switch (spec.kind) {
      case 'DYNAMODB': {
        const tableName = options.tableNames[name as keyof DataSourcesOptions['tableNames']];
        if (!tableName) throw new Error(`No table name given for DynamoDB data source ${name}`);
        const { roleCredentials, ...dynamoDb } = options.dynamoDb;
        const client = dynamoDbJsonClient({ ...dynamoDb, credentials: roleCredentials?.[name] ?? dynamoDb.credentials });
        invokers.set(name, createDynamoDbDataSource({ client, tableName, tokens }).invoke);
        break;
      }
      case 'LAMBDA':
        invokers.set(name, createLambdaDataSource(spec.function, options.invokeLambda).invoke);
        break;
      case 'NONE':
        // A NONE data source hands the request's payload straight to the response handler.
        invokers.set(name, async (request) => ({ result: (request as { payload?: unknown } | null)?.payload ?? null }));
        break;
    }
  }
  return {
    invoke(name, request) {
      const invoker = invokers.get(name);
      if (!invoker) throw new Error(`Unknown data source ${name}`);
      return invoker(request);
    },
  };
}
