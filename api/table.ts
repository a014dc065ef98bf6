/**
 * Layout of the single DynamoDB table, shared by the resolvers, the labeler,
 * the delete function, the CDK stack and the local stack. Bundled into
 * APPSYNC_JS resolvers too, so keep this file plain data and functions.
 *
 * Items:
 * - image:          pk = IMAGE#<id>, sk = IMAGE; the Image fields plus
 *                   indexedLabels (display names of every indexed name),
 *                   catalogPending (the names whose catalog count is not yet
 *                   claimed; see below), and pushLeaseUntil / pushedAt (the
 *                   push of the terminal image, functions/shared/image-push.ts).
 *                   Nothing derived from the id alone: every reader derives
 *                   the image's S3 keys from it (api/media.ts).
 *                   Its owner and createdAt are the keys of byOwner (Query.images);
 *                   until it is finished (PENDING, or ended and not yet pushed,
 *                   indexed and counted), recoveryStatus = PENDING keys it in byStatus.
 * - label entry:    pk = LABEL#<owner>#<name>#<threshold>, sk = <createdAt>#<id>;
 *                   id, confidence. Nothing else: no copy of the image, no GSI.
 *                   One entry per indexed name (each label, its parents and
 *                   its aliases) and per confidence threshold at or below that
 *                   name's confidence. imagesByLabel Queries one entry
 *                   partition, newest first, then reads the page's images with
 *                   one BatchGetItem. The delete function derives an image's
 *                   entry keys from its labels (labelEntries), so it needs no
 *                   Query to find them.
 * - catalog count:  pk = CATALOG#<owner>, sk = LABEL#<name>; name (display), imageCount.
 *
 * Owners (api/owner.ts): every image has an `owner`; search and the catalog
 * are partitioned by it (entry and catalog partitions start with it),
 * so a caller's Query can only ever read its own images and counts.
 * - content result: pk = CONTENT#<owner>#<S3 ETag>, sk = RESULT; sha256 of the
 *                   bytes, the labels and moderation labels detected for them
 *                   (`detection`: their JSON, Brotli-compressed, a Binary; only
 *                   functions/labeler/content-results.ts reads it), reused for
 *                   the same owner's identical uploads. Per owner, so
 *                   how fast an upload is labelled never tells whether someone
 *                   else uploaded the same bytes. Keyed by the ETag the S3 event
 *                   carries, so the lookup needs no read of the object; the
 *                   SHA-256 is checked before a result is reused.
 *
 * Names are matched lower-cased, so search and the catalog are case-insensitive.
 *
 * Cost model of the label index (why keys only, why thresholds). DynamoDB
 * charges a write 1 WCU per started KB of the item (an update: of the larger
 * of the item before and after), plus one write per GSI whose key the item
 * carries; a read 1 RCU per started 4 KB, half that eventually consistent
 * (a Query sums its items' sizes, BatchGetItem rounds each item up).
 * - Write: an entry is some 150–250 bytes (two keys, id, confidence), so
 *   1 WCU, and nothing more since entries are in no GSI. An image with n
 *   indexed names costs n × (thresholds at or below each name's confidence)
 *   WCU, at most 2n, whatever the image's size: a typical photo's 5 names
 *   at 90+ are 10 WCU (the previous layout wrote a full image copy per
 *   entry under up to 7 thresholds, twice with its ALL GSI: up to
 *   2 × 7 × n × item KB). The arithmetic for whole images, every write of
 *   their lifecycle counted, is tests/api/write-units.test.ts.
 * - Read, one page of 20: the Query reads 20 entries (~4 KB, 0.5 RCU),
 *   the BatchGetItem 20 images (0.5 RCU per started 4 KB each: 10 RCU for
 *   images under 4 KB), both whatever the table size.
 * - minConfidence is served by the key, not a filter: a label of confidence
 *   c is written under every threshold t <= c, so "minConfidence m" Queries
 *   partition LABEL#<owner>#<name>#<t> for the highest t <= m, newest first.
 *   When m is a threshold the Query reads only matching entries. Between
 *   thresholds a filter drops the entries with t <= confidence < m, which
 *   are at most one band of that name's entries, each ~200 bytes to read
 *   (20 to an RCU). Two thresholds, not seven: Rekognition's labels are
 *   mostly above 90, so every threshold is one more entry for nearly every
 *   name, while the entries a filter drops are the few under 90 and small.
 *
 * Catalog counts: each LABELED image adds 1 to each of its indexed names
 * exactly once. The labeler's conditional PENDING→LABELED update also writes
 * catalogPending; a name is then claimed by removing it from catalogPending
 * with a condition (only one writer can), and the claim and the claimer's
 * ADD 1 are one TransactWriteItems, so a throttled or failed write never
 * loses an increment and a retry never adds one twice. The delete function
 * deletes the image item conditionally (only one deleter can, and only while
 * its claims are as it read them) in one transaction with the subtraction of
 * 1 for the claimed names (indexedLabels − catalogPending; more names than
 * one transaction holds are subtracted a batch at a time first, each batch
 * recorded in the item's catalogUncounted set), so labelling and
 * deleting concurrently never double-count (functions/shared/catalog.ts).
 * Transactional writes cost 2 write units per KB of each item.
 */
export const ImagesTableLayout = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /**
   * Query.images: one owner's images, newest first. Sparse: only image items
   * carry both a top-level owner and createdAt (label entries, catalog counts
   * and content results carry neither), so nothing else is indexed. Keys
   * only: the key attributes never change after requestUpload, so the index
   * costs one small write per image (1 WCU) and none when the image is
   * labelled; a page is resolved by BatchGetItem on the table.
   */
  byOwnerIndex: {
    indexName: 'byOwner',
    partitionKey: 'owner',
    sortKey: 'createdAt',
    projection: { type: 'KEYS_ONLY' },
  },
  /**
   * AppSync environment variable (`ctx.env`) holding the table's real name:
   * BatchGetItem names its table, so the resolvers that use one need it.
   */
  tableNameVariable: 'IMAGES_TABLE_NAME',
  /**
   * The reconciler's images to recover, oldest first (no Scan). Sparse: only
   * an image not finished yet carries recoveryStatus = PENDING (written by
   * requestUpload; removed with the record of its push,
   * functions/shared/image-push.ts, or for a LABELED image with catalog names
   * by the claim of the last of them, functions/shared/catalog.ts), so a push
   * or an index step that failed after the terminal update is still found;
   * finished images and every later write to them never touch this index.
   * The terminal update leaves the entry as it is (its key and what it
   * projects, but for a corrected contentType: one more write for a mistyped
   * upload), so an image costs one small index write in and one out. It holds
   * what the reconciler reads first (id, createdAt, contentType), not the
   * image, nor its status: the reconciler reads each image before acting on it.
   */
  byStatusIndex: {
    indexName: 'byStatus',
    partitionKey: 'recoveryStatus',
    sortKey: 'createdAt',
    projection: { type: 'INCLUDE', attributes: ['id', 'contentType'] },
  },
} as const;

/** The byStatus key an image carries until it is finished (api/table.ts; image-push.ts or catalog.ts removes it). */
export const awaitingRecovery = () => ({ [ImagesTableLayout.byStatusIndex.partitionKey]: 'PENDING' });

/** What a GSI holds besides its keys and the table's: DynamoDB's three projection types. */
export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'KEYS_ONLY' }
  | { readonly type: 'INCLUDE'; readonly attributes: readonly string[] };

/** One GSI of the table, as every table definition (infra/, local/, tests) declares it. */
export interface IndexLayout {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection: IndexProjection;
}

/** Every GSI of the table, in one list: the table definitions are derived from it. */
export const imagesTableIndexes: readonly IndexLayout[] = [
  ImagesTableLayout.byOwnerIndex,
  ImagesTableLayout.byStatusIndex,
];

/**
 * Confidence thresholds entries are written under, ascending. 0 serves
 * queries without minConfidence (the labeler keeps labels from 55 up); 90
 * splits off the confident labels, which most of Rekognition's are. Each
 * threshold a name reaches is one more entry (1 WCU), so there are two
 * (see the cost model).
 */
export const confidenceThresholds = [0, 90] as const;

/** The highest threshold at or below minConfidence. */
export function thresholdFor(minConfidence: number): number {
  let best = 0;
  for (const threshold of confidenceThresholds) {
    if (threshold <= minConfidence) best = threshold;
  }
  return best;
}

/** The thresholds an entry of this confidence is written under. */
export function thresholdsUpTo(confidence: number): number[] {
  const thresholds: number[] = [];
  for (const threshold of confidenceThresholds) {
    if (threshold <= confidence) thresholds.push(threshold);
  }
  return thresholds;
}

export const normalizeLabel = (name: string): string => name.trim().toLowerCase();

export const imageKey = (imageId: string) => ({ pk: `IMAGE#${imageId}`, sk: 'IMAGE' });

/** The entry partition of one owner's images under a name and threshold. */
export const labelPartition = (owner: string, labelName: string, threshold = 0) =>
  `LABEL#${owner}#${normalizeLabel(labelName)}#${threshold}`;

/** Newest first within a partition: createdAt, then the id for images created in the same millisecond. */
export const labelEntrySort = (createdAt: string, imageId: string) => `${createdAt}#${imageId}`;

/** The table key of one label entry. */
export const labelEntryKey = (owner: string, labelName: string, threshold: number, createdAt: string, imageId: string) => ({
  pk: labelPartition(owner, labelName, threshold),
  sk: labelEntrySort(createdAt, imageId),
});

/** One owner's label catalog, one partition; its sort keys sort names alphabetically. */
export const catalogPartition = (owner: string) => `CATALOG#${owner}`;

export const catalogSortKey = (labelName: string) => `LABEL#${normalizeLabel(labelName)}`;

export const catalogKey = (owner: string, labelName: string) => ({ pk: catalogPartition(owner), sk: catalogSortKey(labelName) });

/** The stored detection result of the bytes behind an S3 ETag, for one owner's uploads. */
export const contentResultKey = (owner: string, eTag: string) => ({ pk: `CONTENT#${owner}#${eTag}`, sk: 'RESULT' });
