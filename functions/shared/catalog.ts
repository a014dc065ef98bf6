/**
 * The label catalog's counters (api/table.ts explains the exactly-once rule).
 * Counting: a name is first claimed on the image item (removed from its
 * catalogPending set, on condition it is still there), then ADDed; only one
 * writer can claim a name, so concurrent or repeated runs count it once.
 * Each owner has its own counters (api/table.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { catalogKey, imageKey } from '../../api/table.ts';
import type { TableStore } from './table-store.ts';

/** Attributes of the image item that drive the catalog. */
export const CatalogAttributes = {
  /** Display names of every name the image is indexed under. */
  indexed: 'indexedLabels',
  /** The subset not yet claimed for counting (a string set, absent when empty). */
  pending: 'catalogPending',
} as const;

async function claim(store: TableStore, imageId: string, name: string): Promise<boolean> {
  try {
    await store.documentClient.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: imageKey(imageId),
        UpdateExpression: 'DELETE #pending :names',
        ConditionExpression: 'contains(#pending, :name)',
        ExpressionAttributeNames: { '#pending': CatalogAttributes.pending },
        ExpressionAttributeValues: { ':names': new Set([name]), ':name': name },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
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
  // Names are independent (one claim and one counter each), so they are counted side by side.
  const counted = await Promise.all(
    [...pending].map(async (name) => {
      if (!(await claim(store, image.imageId, name))) return undefined;
      await add(store, image.owner, name, 1);
      return name;
    }),
  );
  return counted.filter((name): name is string => name !== undefined);
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
