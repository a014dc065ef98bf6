/**
 * Deletes one image. The conditional delete of the image item decides: only
 * the caller that removes it takes the image off the catalog, so a repeated
 * or concurrent delete never decrements twice; the others get NotFound. The
 * rest (search entries, object, thumbnail) is safe to repeat.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { thumbnailKeyFor } from '../../api/media.ts';
import { imageKey, objectKeyFor } from '../../api/table.ts';
import { toPublicImage, type Image } from '../../api/types.ts';
import { countedLabels, uncountLabels } from '../shared/catalog.ts';
import { deleteLabelEntries } from '../shared/label-entries.ts';
import type { TableStore } from '../shared/table-store.ts';

export interface DeleteImageRequest {
  readonly imageId: string;
}

/** What the resolver turns into the deleted Image, or a NotFound error. */
export type DeleteImageResult = { readonly deleted: Image } | { readonly deleted: null };

export interface DeleteImageDeps {
  readonly store: TableStore;
  readonly s3: S3Client;
  readonly bucket: string;
}

async function deleteImageItem(store: TableStore, imageId: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await store.documentClient.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: imageKey(imageId),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** The original and its thumbnail; S3 answers success for keys that do not exist. */
async function deleteObjects(deps: DeleteImageDeps, imageId: string): Promise<void> {
  await Promise.all(
    [objectKeyFor(imageId), thumbnailKeyFor(imageId)].map((key) =>
      deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: key })),
    ),
  );
}

export async function deleteImage(deps: DeleteImageDeps, request: DeleteImageRequest): Promise<DeleteImageResult> {
  const item = await deleteImageItem(deps.store, request.imageId);
  if (!item) return { deleted: null };
  await uncountLabels(deps.store, countedLabels(item));
  await deleteLabelEntries(deps.store, request.imageId);
  await deleteObjects(deps, request.imageId);
  return { deleted: toPublicImage(item as unknown as Image) };
}
