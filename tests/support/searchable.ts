/**
 * Search entries follow the push by a few milliseconds (the labeler writes
 * them after publishing, as an index on AWS is eventually consistent too): a
 * test that searches right after a push waits for its image to show up.
 */
import { expect } from 'vitest';
import type { LabelcastClient } from '../../client-example/lib/labelcast-client.ts';

export async function untilSearchable(client: LabelcastClient, label: string, imageId: string): Promise<void> {
  await expect
    .poll(async () => (await client.imagesByLabel({ label, limit: 100 })).items.map((image) => image.id), { timeout: 10_000 })
    .toContain(imageId);
}
