/**
 * Deletes one image. The conditional delete of the image item decides, and
 * it takes the image off the catalog in the same transaction
 * (shared/catalog.ts): only the caller that removes it decrements, so a
 * repeated or concurrent delete never decrements twice (the others get
 * NotFound), and a throttled or failed write never deletes without
 * decrementing. The same condition keeps an image to its owner: someone
 * else's is left alone and reported as notOwner. The rest (search entries,
 * upload, kept original, thumbnail) is safe to repeat.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ownerOfItem, sharedOwner } from '../../api/owner.ts';
import { imageKey } from '../../api/table.ts';
import { toPublicImage, type Image } from '../../api/types.ts';
import { deleteAndUncount } from '../shared/catalog.ts';
import { deleteObjects, imageObjectKeys } from '../shared/image-objects.ts';
import { deleteLabelEntries } from '../shared/label-entries.ts';
import type { TableStore } from '../shared/table-store.ts';

export interface DeleteImageRequest {
  readonly imageId: string;
  /** The caller's owner key (api/owner.ts); the shared API-key space when absent. */
  readonly owner?: string;
}

/** What the resolver turns into the deleted Image, or a NotFound (or, for someone else's image, Unauthorized) error. */
export type DeleteImageResult =
  | { readonly deleted: Image; readonly notOwner: false }
  | { readonly deleted: null; readonly notOwner: boolean };

export interface DeleteImageDeps {
  readonly store: TableStore;
  readonly s3: S3Client;
  readonly bucket: string;
}

/** Images stored before owners existed have no owner attribute and belong to the shared space. */
const ownerCondition = (owner: string) =>
  owner === sharedOwner ? '(#owner = :owner OR attribute_not_exists(#owner))' : '#owner = :owner';

async function readImageItem(store: TableStore, imageId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await store.documentClient.send(new GetCommand({ TableName: store.tableName, Key: imageKey(imageId), ConsistentRead: true }));
  return Item;
}

export async function deleteImage(deps: DeleteImageDeps, request: DeleteImageRequest): Promise<DeleteImageResult> {
  const owner = request.owner ?? sharedOwner;
  const condition = {
    ConditionExpression: `attribute_exists(pk) AND ${ownerCondition(owner)}`,
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':owner': owner },
  };
  let item: Record<string, unknown> | undefined;
  for (;;) {
    item = await readImageItem(deps.store, request.imageId);
    if (!item || ownerOfItem(item) !== owner) return { deleted: null, notOwner: item !== undefined };
    // 'changed': another deleter won, or a name was claimed since the read; read again and decide again.
    if ((await deleteAndUncount(deps.store, request.imageId, owner, item, condition)) === 'deleted') break;
  }
  const deleted = toPublicImage(item as unknown as Image);
  // The entries' keys follow from the image's own labels (api/table.ts): no Query.
  await deleteLabelEntries(deps.store, deleted);
  await deleteObjects(deps.s3, deps.bucket, imageObjectKeys(request.imageId));
  return { deleted, notOwner: false };
}
