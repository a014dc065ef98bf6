/**
 * The label catalog's counters (api/table.ts explains the exactly-once rule).
 * Counting: names are first claimed on the image item (removed from its
 * catalogPending set, on condition they are all still there, in one update),
 * then ADDed; only one writer can claim a name, so concurrent or repeated runs
 * count it once.
 * Each owner has its own counters (api/table.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { catalogKey, imageKey } from '../../api/table.ts';
import { chunks, type TableStore } from './table-store.ts';

/** Attributes of the image item that drive the catalog. */
export const CatalogAttributes = {
  /** Display names of every name the image is indexed under. */
  indexed: 'indexedLabels',
  /** The subset not yet claimed for counting (a string set, absent when empty). */
  pending: 'catalogPending',
} as const;

/** Names claimed per conditional update: keeps the condition well inside DynamoDB's expression limits. */
const claimBatch = 25;

/**
 * Claims all of `names` in one conditional update (each must still be
 * pending). When another run claimed some first, re-reads what is still
 * pending and claims that; returns the names this call claimed.
 */
async function claim(store: TableStore, imageId: string, names: readonly string[]): Promise<string[]> {
  let wanted = [...names];
  while (wanted.length > 0) {
    const values = Object.fromEntries(wanted.map((name, index) => [`:n${index}`, name]));
    try {
      await store.documentClient.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: imageKey(imageId),
          UpdateExpression: 'DELETE #pending :names',
          ConditionExpression: Object.keys(values).map((value) => `contains(#pending, ${value})`).join(' AND '),
          ExpressionAttributeNames: { '#pending': CatalogAttributes.pending },
          ExpressionAttributeValues: { ':names': new Set(wanted), ...values },
        }),
      );
      return wanted;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await store.documentClient.send(
      new GetCommand({ TableName: store.tableName, Key: imageKey(imageId), ConsistentRead: true, ProjectionExpression: '#pending', ExpressionAttributeNames: { '#pending': CatalogAttributes.pending } }),
    );
    const stillPending = (Item?.[CatalogAttributes.pending] as Set<string> | undefined) ?? new Set<string>();
    const remaining = wanted.filter((name) => stillPending.has(name));
    // The condition failed, so some name was claimed meanwhile; anything else would loop forever.
    if (remaining.length === wanted.length) throw new Error(`catalog claim of ${imageId} failed with every name still pending`);
    wanted = remaining;
  }
  return [];
}

async function add(store: TableStore, owner: string, name: string, delta: number): Promise<number> {
  const { Attributes } = await store.documentClient.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: catalogKey(owner, name),
      UpdateExpression: 'ADD imageCount :delta SET #name = if_not_exists(#name, :name)',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':delta': delta, ':name': name },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(Attributes?.imageCount ?? 0);
}

/** Counts the image in its owner's catalog under each name it still has pending; returns the names this call counted. */
export async function countPendingLabels(
  store: TableStore,
  image: { readonly imageId: string; readonly owner: string },
  pending: Iterable<string>,
): Promise<string[]> {
  const claimed = (await Promise.all(chunks([...pending], claimBatch).map((batch) => claim(store, image.imageId, batch)))).flat();
  // Each counter is its own item: the claimed names are counted side by side.
  await Promise.all(claimed.map((name) => add(store, image.owner, name, 1)));
  return claimed;
}

/**
 * Takes a deleted image off the catalog. A counter that reaches zero is
 * removed, on condition it is still zero, so a concurrent count survives.
 */
export async function uncountLabels(store: TableStore, owner: string, names: Iterable<string>): Promise<void> {
  for (const name of names) {
    if ((await add(store, owner, name, -1)) > 0) continue;
    try {
      await store.documentClient.send(
        new DeleteCommand({
          TableName: store.tableName,
          Key: catalogKey(owner, name),
          ConditionExpression: 'imageCount <= :zero',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** The names of a stored image that were counted: indexed, and no longer pending. */
export function countedLabels(item: Record<string, unknown>): string[] {
  const indexed = (item[CatalogAttributes.indexed] as string[] | undefined) ?? [];
  const pending = (item[CatalogAttributes.pending] as Set<string> | undefined) ?? new Set<string>();
  return indexed.filter((name) => !pending.has(name));
}
