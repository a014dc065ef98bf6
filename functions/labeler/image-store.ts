/**
 * The labeler's reads and writes on the images table (layout in api/table.ts).
 * No transactions (the local DynamoDB has none): label entries are written
 * first, then the image moves out of PENDING with a conditional update, which
 * is the single point that decides who publishes.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { imageKey, labelEntryKey, labelIndexKey, labelIndexSort, normalizeLabel } from '../../api/table.ts';
import { ImageStatus, type Image, type Label } from '../../api/types.ts';

/** BatchWriteItem takes at most 25 requests. */
const batchSize = 25;
const maxBatchAttempts = 8;

export interface ImageStoreArgs {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
}

export async function getImage(store: ImageStoreArgs, imageId: string): Promise<Image | undefined> {
  const { Item } = await store.documentClient.send(
    new GetCommand({ TableName: store.tableName, Key: imageKey(imageId), ConsistentRead: true }),
  );
  return Item as Image | undefined;
}

/** One entry per distinct label name, keeping the highest confidence. */
function distinctLabels(labels: readonly Label[]): Label[] {
  const byName = new Map<string, Label>();
  for (const label of labels) {
    const name = normalizeLabel(label.name);
    const seen = byName.get(name);
    if (!seen || seen.confidence < label.confidence) byName.set(name, label);
  }
  return [...byName.values()];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes the byLabel index entries of a labelled image, each with a copy of the image. */
export async function writeLabelEntries(store: ImageStoreArgs, image: Image): Promise<void> {
  const requests = distinctLabels(image.labels).map((label) => ({
    PutRequest: {
      Item: {
        ...labelEntryKey(image.id, label.name),
        labelKey: labelIndexKey(label.name),
        labelSort: labelIndexSort(image.createdAt, image.id),
        confidence: label.confidence,
        image,
      },
    },
  }));
  for (let start = 0; start < requests.length; start += batchSize) {
    let pending = requests.slice(start, start + batchSize);
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > maxBatchAttempts) throw new Error(`label entries of ${image.id} still unprocessed after retries`);
      const { UnprocessedItems } = await store.documentClient.send(
        new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
      if (pending.length > 0) await sleep(Math.random() * 2 ** attempt * 25);
    }
  }
}

/**
 * Moves a PENDING image to its terminal status. Returns the stored image, or
 * undefined when it had already left PENDING (a duplicate delivery won).
 */
export async function completeImage(store: ImageStoreArgs, image: Image): Promise<Image | undefined> {
  if (image.status === ImageStatus.PENDING) throw new Error('completeImage needs a terminal status');
  try {
    const { Attributes } = await store.documentClient.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: imageKey(image.id),
        UpdateExpression:
          'SET #status = :status, labeledAt = :labeledAt, labels = :labels, moderationLabels = :moderationLabels, #error = :error',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':status': image.status,
          ':labeledAt': image.labeledAt ?? null,
          ':labels': image.labels,
          ':moderationLabels': image.moderationLabels,
          ':error': image.error ?? null,
          ':pending': ImageStatus.PENDING,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as Image;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
