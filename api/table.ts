/**
 * Layout of the single DynamoDB table, shared by the resolvers, the labeler,
 * the delete function, the CDK stack and the local stack. Bundled into
 * APPSYNC_JS resolvers too, so keep this file plain data and functions.
 *
 * Items:
 * - image:          pk = IMAGE#<id>, sk = IMAGE; the Image fields plus objectKey,
 *                   indexedLabels (display names of every indexed name),
 *                   catalogPending (the names whose catalog count is not yet
 *                   claimed; see below), and pushLeaseUntil / pushedAt (the
 *                   push of the terminal image, functions/shared/image-push.ts).
 * - label entry:    pk = IMAGE#<id>, sk = LABEL#<name>#<threshold>;
 *                   labelKey = LABEL#<owner>#<name>#<threshold>, labelSort = <createdAt>#<id>,
 *                   confidence, and a copy of the labelled image, so
 *                   imagesByLabel is one Query on byLabel. One entry per indexed
 *                   name (each label, its parents and its aliases) and per
 *                   confidence threshold at or below that name's confidence.
 * - catalog count:  pk = CATALOG#<owner>, sk = LABEL#<name>; name (display), imageCount.
 *
 * Owners (api/owner.ts): every image has an `owner`; search and the catalog
 * are partitioned by it (labelKey and the catalog partition start with it),
 * so a caller's Query can only ever read its own images and counts.
 * - content result: pk = CONTENT#<owner>#<S3 ETag>, sk = RESULT; sha256 of the
 *                   bytes, the labels and moderation labels detected for them,
 *                   reused for the same owner's identical uploads. Per owner, so
 *                   how fast an upload is labelled never tells whether someone
 *                   else uploaded the same bytes. Keyed by the ETag the S3 event
 *                   carries, so the lookup needs no read of the object; the
 *                   SHA-256 is checked before a result is reused.
 *
 * Names are matched lower-cased, so search and the catalog are case-insensitive.
 *
 * Cost model of imagesByLabel (why thresholds): minConfidence is served by the
 * key, not a filter. A label of confidence c is written under every threshold
 * t <= c, so "minConfidence m" Queries partition LABEL#<name>#<t> for the
 * highest t <= m, newest first. When m is a threshold the Query reads only
 * matching items: a filtered page costs what an unfiltered one does. Between
 * thresholds a filter drops the entries with t <= confidence < m, which are
 * at most one threshold band (10 points or less) of that name's entries. The price is
 * paid once, at write time: at most `confidenceThresholds.length` entries per
 * indexed name, each an item copy, and a labelled image is read by one Query
 * whatever the table size.
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
  byLabelIndex: {
    indexName: 'byLabel',
    partitionKey: 'labelKey',
    sortKey: 'labelSort',
  },
  /** Image items only (no other item has a top-level status): the reconciler Queries PENDING, no Scan. */
  byStatusIndex: {
    indexName: 'byStatus',
    partitionKey: 'status',
    sortKey: 'createdAt',
  },
} as const;

/**
 * Confidence thresholds entries are written under, ascending. 0 serves
 * queries without minConfidence (the labeler keeps labels from 55 up), the
 * rest are the cut-offs apps use most; finer bands cost more entries.
 */
export const confidenceThresholds = [0, 60, 70, 80, 90, 95, 99] as const;

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

/** Sort-key prefix of all of an image's label entries (they share its partition). */
export const labelEntryPrefix = 'LABEL#';

/** byLabel partition of one owner's images under a name and threshold. */
export const labelIndexKey = (owner: string, labelName: string, threshold = 0) =>
  `LABEL#${owner}#${normalizeLabel(labelName)}#${threshold}`;

/** A label entry sits in its image's partition, which already says whose it is. */
export const labelEntryKey = (imageId: string, labelName: string, threshold = 0) => ({
  pk: `IMAGE#${imageId}`,
  sk: `${labelEntryPrefix}${normalizeLabel(labelName)}#${threshold}`,
});

export const labelIndexSort = (createdAt: string, imageId: string) => `${createdAt}#${imageId}`;

/** One owner's label catalog, one partition; its sort keys sort names alphabetically. */
export const catalogPartition = (owner: string) => `CATALOG#${owner}`;

export const catalogSortKey = (labelName: string) => `LABEL#${normalizeLabel(labelName)}`;

export const catalogKey = (owner: string, labelName: string) => ({ pk: catalogPartition(owner), sk: catalogSortKey(labelName) });

/** The stored detection result of the bytes behind an S3 ETag, for one owner's uploads. */
export const contentResultKey = (owner: string, eTag: string) => ({ pk: `CONTENT#${owner}#${eTag}`, sk: 'RESULT' });
