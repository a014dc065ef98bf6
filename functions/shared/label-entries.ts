/**
 * Removes an image's label entries. Their keys follow from the image's own
 * labels, owner and createdAt (labelEntries), so no Query finds them: one
 * BatchWriteItem per 25 keys. Entries of images labelled under the previous
 * layout (in the image's partition) are not found here and stay, unread.
 */
import type { Image } from '../../api/types.ts';
import { labelEntries } from './label-index.ts';
import { batchWrite, type TableStore } from './table-store.ts';

/** Deletes every label entry of the image; returns how many keys it deleted. Safe to repeat. */
export async function deleteLabelEntries(store: TableStore, image: Pick<Image, 'id' | 'createdAt' | 'labels' | 'owner'>): Promise<number> {
  const keys = labelEntries(image).map(({ pk, sk }) => ({ pk, sk }));
  await batchWrite(store, keys.map((Key) => ({ DeleteRequest: { Key } })));
  return keys.length;
}
