/**
 * An image's item as the functions left it in the stack's DynamoDB, read as
 * the local account's admin (credentials.json in the state dir), as a
 * developer with the AWS CLI would. For state a client cannot see: whether
 * the push was recorded (pushedAt) and the catalog counted (catalogPending
 * emptied), so a test waits for that instead of sleeping.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { imageKey } from '../../api/table.ts';
import { CatalogAttributes } from '../../functions/shared/catalog.ts';
import { PushAttributes } from '../../functions/shared/image-push.ts';
import { stackCredentials } from '../../local/child-process-stack.ts';
import { configFromEnv } from '../../local/config.ts';

/** Where a stack keeps its table: the shared e2e stack unless given. */
export interface StackTable {
  readonly dynamodbEndpoint: string;
  readonly stateDir: string;
}

const sharedStack = (): StackTable => ({ dynamodbEndpoint: inject('dynamodbEndpoint'), stateDir: inject('stateDir') });

export async function imageItem(imageId: string, stack: StackTable = sharedStack()): Promise<Record<string, unknown> | undefined> {
  const { region, tableName } = configFromEnv({});
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region, credentials: stackCredentials(stack.stateDir) }));
  try {
    return (await client.send(new GetCommand({ TableName: tableName, Key: imageKey(imageId), ConsistentRead: true }))).Item;
  } finally {
    client.destroy();
  }
}

/** Whether the run that ended the image has recorded its push. */
export const isPushRecorded = (item: Record<string, unknown> | undefined): boolean => typeof item?.[PushAttributes.pushedAt] === 'string';

/** Whether every catalog name of the image has been counted (the set is removed once empty). */
export const isCatalogCounted = (item: Record<string, unknown> | undefined): boolean => {
  const pending = item?.[CatalogAttributes.pending] as Set<string> | undefined;
  return item !== undefined && (pending === undefined || pending.size === 0);
};
