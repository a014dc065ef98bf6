/**
 * The image lifecycle's reads and writes on the images table (layout in
 * api/table.ts), for every function that ends an image: the labeler,
 * labeling-failed and the reconciler.
 * No transactions (the local DynamoDB has none): the image moves out of
 * PENDING with a conditional update, the single point that decides who
 * publishes and who counts the image in the label catalog; its label entries
 * are written after the push, idempotently (indexEndedImage in functions/shared/ended-image.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { imageKey, ImagesTableLayout } from '../../api/table.ts';
import { ImageStatus, type Image } from '../../api/types.ts';
import { CatalogAttributes } from './catalog.ts';
import { leaseOnCompletion, type PushState } from './image-push.ts';
import { batchWrite, type TableStore } from './table-store.ts';
import { indexedNames, labelEntries } from './label-index.ts';

export type ImageStoreArgs = TableStore;

/** An image item as stored, with the catalog bookkeeping beside the Image fields. */
export type StoredImage = Image &
  PushState & {
    readonly [CatalogAttributes.indexed]?: string[];
    readonly [CatalogAttributes.pending]?: Set<string>;
    /** The byStatus key (api/table.ts): present until the image is finished. */
    readonly [ImagesTableLayout.byStatusIndex.partitionKey]?: string;
  };

/** The stored image item; `consistent: false` halves the read's cost where what follows is conditional anyway. */
export async function getImage(store: ImageStoreArgs, imageId: string, { consistent = true }: { readonly consistent?: boolean } = {}): Promise<StoredImage | undefined> {
  const { Item } = await store.documentClient.send(
    new GetCommand({ TableName: store.tableName, Key: imageKey(imageId), ConsistentRead: consistent }),
  );
  return Item as StoredImage | undefined;
}

/** Writes the label entries of a labelled image (names, aliases, parents; per threshold), keys only (api/table.ts). Idempotent. */
export async function writeLabelEntries(store: ImageStoreArgs, image: Image): Promise<void> {
  await batchWrite(store, labelEntries(image).map((Item) => ({ PutRequest: { Item } })));
}

/**
 * Moves a PENDING image to its terminal status and takes the push lease
 * (functions/shared/image-push.ts). Returns the stored image, or undefined
 * when it had already left PENDING (a duplicate delivery won).
 */
export async function completeImage(store: ImageStoreArgs, image: Image, now: Date = new Date()): Promise<StoredImage | undefined> {
  if (image.status === ImageStatus.PENDING) throw new Error('completeImage needs a terminal status');
  // A LABELED image enters the catalog: every indexed name is pending until claimed and counted.
  const names = image.status === ImageStatus.LABELED ? indexedNames(image.labels).map(({ name }) => name) : [];
  const catalog = names.length > 0 ? ', #indexed = :indexed, #catalogPending = :catalogPending' : '';
  const lease = leaseOnCompletion(now);
  try {
    const { Attributes } = await store.documentClient.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: imageKey(image.id),
        // contentType: what the bytes really are (functions/labeler/image-type.ts), which may differ from the declared type.
        // The byStatus key stays: the image leaves that index only once its push is recorded (image-push.ts recordPushed),
        // so the reconciler still finds it if every push after this write fails (api/table.ts).
        UpdateExpression: `SET #status = :status, labeledAt = :labeledAt, labels = :labels, moderationLabels = :moderationLabels, properties = :properties, #error = :error, contentType = :contentType, ${lease.set}${catalog}`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#error': 'error',
          ...lease.names,
          ...(names.length > 0 ? { '#indexed': CatalogAttributes.indexed, '#catalogPending': CatalogAttributes.pending } : {}),
        },
        ExpressionAttributeValues: {
          ':status': image.status,
          ':labeledAt': image.labeledAt ?? null,
          ':labels': image.labels,
          ':moderationLabels': image.moderationLabels,
          ':properties': image.properties ?? null,
          ':error': image.error ?? null,
          ':contentType': image.contentType,
          ':pending': ImageStatus.PENDING,
          ...lease.values,
          ...(names.length > 0 ? { ':indexed': names, ':catalogPending': new Set(names) } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as StoredImage;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
