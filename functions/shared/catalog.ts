/**
 * The label catalog's counters (api/table.ts explains the exactly-once rule).
 * Counting: names are claimed on the image item (removed from its
 * catalogPending set, on condition they are all still there) and ADDed to
 * their counters in one transaction, so a claim never commits without its
 * increments: a throttled or failed write loses nothing and is simply
 * retried (./transact-write.ts), and only one writer can claim a name, so
 * concurrent or repeated runs count it once.
 * Uncounting: the image item is deleted (on condition it is still there,
 * still the caller's and its claims unchanged) in the same transaction that
 * subtracts 1 from each counted name.
 * Each owner has its own counters (api/table.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { catalogKey, imageKey, ImagesTableLayout } from '../../api/table.ts';
import type { TableStore } from './table-store.ts';
import { transactWrite } from './transact-write.ts';

/** Attributes of the image item that drive the catalog. */
export const CatalogAttributes = {
  /** Display names of every name the image is indexed under. */
  indexed: 'indexedLabels',
  /** The subset not yet claimed for counting (a string set, absent when empty). */
  pending: 'catalogPending',
  /** Counted names already subtracted by a delete of more names than one transaction holds (a string set). */
  uncounted: 'catalogUncounted',
} as const;

/**
 * Names per transaction: one action on the image item plus one per name
 * must stay within DynamoDB's 100 actions, and the claim's condition well
 * inside its expression limits.
 */
export const namesPerTransaction = 50;

type Names = readonly string[];

const counterUpdate = (store: TableStore, owner: string, name: string, delta: number) => ({
  Update: {
    TableName: store.tableName,
    Key: catalogKey(owner, name),
    UpdateExpression: 'ADD imageCount :delta SET #name = if_not_exists(#name, :name)',
    ExpressionAttributeNames: { '#name': 'name' },
    ExpressionAttributeValues: { ':delta': delta, ':name': name },
  },
});

/** Consecutive slices of at most `size` names. */
function slices(names: Names, size: number): string[][] {
  const result: string[][] = [];
  for (let start = 0; start < names.length; start += size) result.push(names.slice(start, start + size));
  return result;
}

async function stillPending(store: TableStore, imageId: string): Promise<Set<string>> {
  const { Item } = await store.documentClient.send(
    new GetCommand({ TableName: store.tableName, Key: imageKey(imageId), ConsistentRead: true, ProjectionExpression: '#pending', ExpressionAttributeNames: { '#pending': CatalogAttributes.pending } }),
  );
  return (Item?.[CatalogAttributes.pending] as Set<string> | undefined) ?? new Set<string>();
}

/**
 * Claims and counts all of `names` in one transaction (each must still be
 * pending). When another run claimed some first, re-reads what is still
 * pending and counts that; returns the names this call counted.
 * `last`: no other name is pending (the last slice of what the caller read,
 * the earlier ones claimed): the claim also takes the image off the
 * reconciler's byStatus index, as nothing is left to finish (ended-image.ts),
 * unless the caller removes the key itself (`keepsStatusKey`).
 */
async function claimAndCount(store: TableStore, image: { readonly imageId: string; readonly owner: string }, names: Names, last: boolean): Promise<string[]> {
  let wanted = [...names];
  while (wanted.length > 0) {
    const values = Object.fromEntries(wanted.map((name, index) => [`:n${index}`, name]));
    const claim = {
      Update: {
        TableName: store.tableName,
        Key: imageKey(image.imageId),
        // The set only shrinks, so once the last slice commits it is empty (DynamoDB drops an emptied set).
        UpdateExpression: `DELETE #pending :names${last ? ' REMOVE #recovery' : ''}`,
        ConditionExpression: Object.keys(values).map((value) => `contains(#pending, ${value})`).join(' AND '),
        ExpressionAttributeNames: { '#pending': CatalogAttributes.pending, ...(last ? { '#recovery': ImagesTableLayout.byStatusIndex.partitionKey } : {}) },
        ExpressionAttributeValues: { ':names': new Set(wanted), ...values },
      },
    };
    const outcome = await transactWrite(store, [claim, ...wanted.map((name) => counterUpdate(store, image.owner, name, 1))]);
    if (outcome.committed) return wanted;
    const pending = await stillPending(store, image.imageId);
    const remaining = wanted.filter((name) => pending.has(name));
    // The condition failed, so some name was claimed meanwhile (or the image is gone); anything else would loop forever.
    if (remaining.length === wanted.length) throw new Error(`catalog claim of ${image.imageId} failed with every name still pending`);
    wanted = remaining;
  }
  return [];
}

/** How countPendingLabels leaves the image's byStatus key. */
export interface CountOptions {
  /**
   * Leave the key to the caller: the reconciler giving up a push removes it only once its lease shows the give-up
   * still holds (functions/reconciler/ended-images.ts giveUpPush). @default false - the last claim removes it
   */
  readonly keepsStatusKey?: boolean;
}

/**
 * Counts the image in its owner's catalog under each name it still has pending; returns the names this call counted.
 * The claim of the last names also removes the image's byStatus key (api/table.ts): counted, it is finished.
 */
export async function countPendingLabels(
  store: TableStore,
  image: { readonly imageId: string; readonly owner: string },
  pending: Iterable<string>,
  options: CountOptions = {},
): Promise<string[]> {
  // One transaction after another: they all update the image item, so side by side they would only conflict.
  const counted: string[] = [];
  const batches = slices([...pending], namesPerTransaction);
  const removesKeyAt = options.keepsStatusKey ? -1 : batches.length - 1;
  for (const [position, batch] of batches.entries()) counted.push(...(await claimAndCount(store, image, batch, position === removesKeyAt)));
  return counted;
}

/** The names of a stored image that were counted and not yet subtracted: indexed, no longer pending, not uncounted. */
export function countedLabels(item: Record<string, unknown>): string[] {
  const indexed = (item[CatalogAttributes.indexed] as string[] | undefined) ?? [];
  const pending = (item[CatalogAttributes.pending] as Set<string> | undefined) ?? new Set<string>();
  const uncounted = (item[CatalogAttributes.uncounted] as Set<string> | undefined) ?? new Set<string>();
  return indexed.filter((name) => !pending.has(name) && !uncounted.has(name));
}

/** The condition under which a deleter may act on the image item as it read it: there, its owner's, claims unchanged. */
export interface ImageDeleteCondition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** Adds "catalogPending and catalogUncounted are as read" to `condition`, so the counted names the deleter saw are still the counted names. */
function unchangedCatalog(condition: ImageDeleteCondition, item: Record<string, unknown>): ImageDeleteCondition {
  const sizeClause = (attribute: 'pending' | 'uncounted', placeholder: string) => {
    const value = item[CatalogAttributes[attribute]] as Set<string> | undefined;
    return value && value.size > 0 ? { clause: `size(#${attribute}) = ${placeholder}`, values: { [placeholder]: value.size } } : { clause: `attribute_not_exists(#${attribute})`, values: {} };
  };
  // Both sets only ever shrink (claims) or grow (uncounting): an unchanged size means unchanged contents.
  const pending = sizeClause('pending', ':pendingSize');
  const uncounted = sizeClause('uncounted', ':uncountedSize');
  const values = { ...condition.ExpressionAttributeValues, ...pending.values, ...uncounted.values };
  return {
    ConditionExpression: `${condition.ConditionExpression} AND ${pending.clause} AND ${uncounted.clause}`,
    ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#pending': CatalogAttributes.pending, '#uncounted': CatalogAttributes.uncounted },
    // DynamoDB refuses an empty ExpressionAttributeValues.
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/**
 * Deletes the image item, as read in `item`, and takes its counted names off
 * its owner's catalog, in one transaction (names past one transaction's
 * worth are subtracted first, each batch recorded on the item in the same
 * transaction). Returns 'deleted', or 'changed' when the item is no longer
 * as read (gone, or a name claimed meanwhile): the caller re-reads and
 * decides again.
 */
export async function deleteAndUncount(
  store: TableStore,
  imageId: string,
  owner: string,
  item: Record<string, unknown>,
  condition: ImageDeleteCondition,
): Promise<'deleted' | 'changed'> {
  const guarded = unchangedCatalog(condition, item);
  const names = countedLabels(item);
  const lastBatch = names.length % namesPerTransaction || namesPerTransaction;
  const earlier = names.slice(0, names.length - lastBatch);
  if (earlier.length > 0) {
    const batch = earlier.slice(0, namesPerTransaction);
    const outcome = await transactWrite(store, [
      {
        Update: {
          TableName: store.tableName,
          Key: imageKey(imageId),
          UpdateExpression: 'ADD #uncounted :names',
          ...guarded,
          ExpressionAttributeValues: { ...guarded.ExpressionAttributeValues, ':names': new Set(batch) },
        },
      },
      ...batch.map((name) => counterUpdate(store, owner, name, -1)),
    ]);
    if (outcome.committed) await removeEmptyCounters(store, owner, batch);
    // Committed or not, the item is no longer as read: the caller re-reads it and continues with what is left.
    return 'changed';
  }
  const outcome = await transactWrite(store, [
    { Delete: { TableName: store.tableName, Key: imageKey(imageId), ...guarded } },
    ...names.map((name) => counterUpdate(store, owner, name, -1)),
  ]);
  if (!outcome.committed) return 'changed';
  await removeEmptyCounters(store, owner, names);
  return 'deleted';
}

/**
 * Removes counters the delete brought to zero, on condition they still are,
 * so a concurrent count survives. Only tidiness: a counter left at zero is
 * what a retry or the next delete removes.
 */
async function removeEmptyCounters(store: TableStore, owner: string, names: Names): Promise<void> {
  for (const name of names) {
    try {
      await store.documentClient.send(
        new DeleteCommand({ TableName: store.tableName, Key: catalogKey(owner, name), ConditionExpression: 'imageCount <= :zero', ExpressionAttributeValues: { ':zero': 0 } }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
