/**
 * Creates the images table with the layout in api/table.ts, as the CDK stack
 * declares it on AWS.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { imagesTableIndexes, ImagesTableLayout, type IndexLayout, type IndexProjection } from '../../api/table.ts';
import type { LocalCredentials } from '../iam/credentials.ts';
import { StateFileError } from '../state-dir.ts';

export interface EnsureImagesTableArgs {
  readonly endpoint: string;
  readonly tableName: string;
  readonly region: string;
  readonly credentials: LocalCredentials;
  /** Where the local DynamoDB keeps its data, named when a stored table has an older layout. @default - the table name */
  readonly dataDir?: string;
}

const stringKey = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });

/** The DynamoDB API spelling of a projection. */
const apiProjection = (projection: IndexProjection) =>
  projection.type === 'INCLUDE'
    ? { ProjectionType: projection.type, NonKeyAttributes: [...projection.attributes] }
    : { ProjectionType: projection.type };

interface DescribedIndex {
  readonly IndexName?: string;
  readonly KeySchema?: readonly { readonly AttributeName?: string; readonly KeyType?: string }[];
  readonly Projection?: { readonly ProjectionType?: string; readonly NonKeyAttributes?: readonly string[] };
}

/** One index as a comparable line: name, keys and projection. */
function indexSignature(index: DescribedIndex): string {
  const keys = (index.KeySchema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`).join(',');
  const included = [...(index.Projection?.NonKeyAttributes ?? [])].sort().join(',');
  return `${index.IndexName} (${keys}) ${index.Projection?.ProjectionType}${included ? `[${included}]` : ''}`;
}

const wantedIndexes = (): string[] =>
  imagesTableIndexes
    .map((index) => indexSignature(apiIndex(index)))
    .sort();

/** The table's indexes as comparable lines, or undefined when there is no such table. */
async function storedIndexes(client: DynamoDBClient, tableName: string): Promise<string[] | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return (Table?.GlobalSecondaryIndexes ?? []).map(indexSignature).sort();
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * A table kept from an older layout would answer the new Queries with
 * errors. The local DynamoDB (dynalite) cannot add an index to a table, and
 * stored images are not migrated, so starting over is the way on.
 */
function refuseOlderLayout(args: EnsureImagesTableArgs, stored: readonly string[]): void {
  const wanted = wantedIndexes();
  if (stored.join('\n') === wanted.join('\n')) return;
  throw new StateFileError(
    args.dataDir ?? `table ${args.tableName}`,
    `holds the images table in an older layout (indexes ${stored.join('; ') || 'none'}; this version needs ${wanted.join('; ')})`,
    'stop labelcast and delete it to start with an empty table (stored images are not migrated)',
  );
}

/** A GSI as the DynamoDB API declares it, from its layout. */
const apiIndex = (index: IndexLayout) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: apiProjection(index.projection),
});

/**
 * The CreateTable input of the images table, derived from ImagesTableLayout
 * (as infra/images-table.ts derives the CDK table): keys, every index and its
 * projection, on demand. `extraIndexes` are for tests that need an index of
 * their own beside the real ones.
 */
export function imagesTableDefinition(tableName: string, extraIndexes: readonly IndexLayout[] = []): CreateTableCommandInput {
  const { partitionKey, sortKey } = ImagesTableLayout;
  const indexes = [...imagesTableIndexes, ...extraIndexes];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...new Set([partitionKey, sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])])].map(stringKey),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map(apiIndex),
  };
}

/** What ensureImagesTable found. */
export interface EnsuredImagesTable {
  /**
   * True when this call created the table, so it holds nothing from before this start (the stack then skips its
   * start-up reconciler run: what requests write during the start goes through the live queue, whose mapping is
   * wired right after AppSync's start); false when it was there already, or another caller created it meanwhile.
   */
  readonly created: boolean;
}

/** Creates the images table (layout from api/table.ts: pk/sk string keys, every GSI of imagesTableIndexes with its projection, PAY_PER_REQUEST) unless it exists; waits until ACTIVE. */
export async function ensureImagesTable(args: EnsureImagesTableArgs): Promise<EnsuredImagesTable> {
  const client = new DynamoDBClient({ endpoint: args.endpoint, region: args.region, credentials: args.credentials });
  try {
    const stored = await storedIndexes(client, args.tableName);
    if (stored) refuseOlderLayout(args, stored);
    let created = false;
    if (!stored) {
      try {
        await client.send(new CreateTableCommand(imagesTableDefinition(args.tableName)));
        created = true;
      } catch (error) {
        // Someone else created it between the check and now: fine, wait for it below.
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    const waited = await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: args.tableName });
    if (waited.state !== 'SUCCESS') throw new Error(`table ${args.tableName} did not become ACTIVE: ${waited.state}`);
    return { created };
  } finally {
    client.destroy();
  }
}
