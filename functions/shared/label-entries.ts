/**
 * Removes an image's byLabel entries. They share the image's partition, so a
 * Query on the table (not the index, not a Scan) finds them all.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ImagesTableLayout, imageKey, labelEntryPrefix } from '../../api/table.ts';
import { batchWrite, type TableStore } from './table-store.ts';

/** Deletes every label entry of the image; returns how many there were. Safe to repeat. */
export async function deleteLabelEntries(store: TableStore, imageId: string): Promise<number> {
  const { partitionKey, sortKey } = ImagesTableLayout;
  let deleted = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.documentClient.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': imageKey(imageId).pk, ':prefix': labelEntryPrefix },
        ProjectionExpression: '#pk, #sk',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = (page.Items ?? []).map((item) => ({ [partitionKey]: item[partitionKey], [sortKey]: item[sortKey] }));
    await batchWrite(store, keys.map((Key) => ({ DeleteRequest: { Key } })));
    deleted += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return deleted;
}
