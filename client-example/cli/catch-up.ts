/**
 * What `watch` missed while its socket was down. Events pushed then are gone
 * for good, so once the subscription is acknowledged again (anything labelled
 * from then on arrives as an event) the library is read, newest first
 * (Query.images), back to a while before the drop: every image that ended
 * since the drop is one we may not have printed. Images still PENDING then
 * are remembered and re-read with `image(id)` after the next reconnection.
 */
import type { Image } from '../graphql/index.ts';
import type { LabelcastClient } from '../lib/labelcast-client.ts';

/**
 * How far before the drop to look: an image is labelled seconds after its
 * upload, or re-driven by the reconciler within its 5-minute period.
 */
export const lookBackMs = 10 * 60_000;
/** At most this many pages of 100 images; a library busier than that in the window is not read to the end. */
const maxPages = 10;

/** Images that ended (LABELED or FAILED) at or after `since`, oldest first, and those still PENDING. */
export async function endedSince(client: LabelcastClient, since: Date, pendingIds: Iterable<string>): Promise<{ ended: Image[]; pending: string[] }> {
  const byId = new Map<string, Image>();
  const oldest = since.getTime() - lookBackMs;
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const { items, nextToken: next } = await client.images({ limit: 100, nextToken });
    for (const image of items) byId.set(image.id, image);
    nextToken = next ?? undefined;
    const last = items.at(-1);
    if (!nextToken || !last || Date.parse(last.createdAt) < oldest) break;
  }
  for (const id of pendingIds) {
    if (byId.has(id)) continue;
    const image = await client.image(id).catch(() => null);
    if (image) byId.set(id, image);
  }
  const images = [...byId.values()];
  const ended = images
    .filter((image) => image.status !== 'PENDING' && image.labeledAt && Date.parse(image.labeledAt) >= since.getTime())
    .sort((a, b) => Date.parse(a.labeledAt!) - Date.parse(b.labeledAt!));
  const pending = images.filter((image) => image.status === 'PENDING' && Date.parse(image.createdAt) >= oldest).map((image) => image.id);
  return { ended, pending };
}
