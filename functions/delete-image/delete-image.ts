/**
 * Deletes one image. The conditional delete of the image item decides: only
 * the caller that removes it takes the image off the catalog, so a repeated
 * or concurrent delete never decrements twice; the others get NotFound. The
 * same condition keeps an image to its owner: someone else's is left alone
 * and reported as notOwner. The rest (search entries, upload, kept original,
 * thumbnail) is safe to repeat.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ownerOfItem, sharedOwner } from '../../api/owner.ts';
import { imageKey } from '../../api/table.ts';
import { toPublicImage, type Image } from '../../api/types.ts';
import { countedLabels, uncountLabels } from '../shared/catalog.ts';
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

async function deleteImageItem(store: TableStore, imageId: string, owner: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await store.documentClient.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: imageKey(imageId),
        ConditionExpression: `attribute_exists(pk) AND ${ownerCondition(owner)}`,
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Only says which error the caller gets; the conditional delete already decided. */
async function ownedBySomeoneElse(store: TableStore, imageId: string): Promise<boolean> {
  const { Item } = await store.documentClient.send(
    new GetCommand({
      TableName: store.tableName,
      Key: imageKey(imageId),
      ConsistentRead: true,
      ProjectionExpression: '#owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
    }),
  );
  return Item !== undefined;
}

export async function deleteImage(deps: DeleteImageDeps, request: DeleteImageRequest): Promise<DeleteImageResult> {
  const owner = request.owner ?? sharedOwner;
  const item = await deleteImageItem(deps.store, request.imageId, owner);
  if (!item) return { deleted: null, notOwner: await ownedBySomeoneElse(deps.store, request.imageId) };
  await uncountLabels(deps.store, ownerOfItem(item), countedLabels(item));
  const deleted = toPublicImage(item as unknown as Image);
  await deleteLabelEntries(deps.store, deleted);
  await deleteObjects(deps.s3, deps.bucket, imageObjectKeys(request.imageId));
  return { deleted, notOwner: false };
}
