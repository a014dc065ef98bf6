/**
 * Finds images stuck in PENDING (on the byStatus index, no Scan) and ends
 * each one: an image whose object exists is re-driven through the labeler
 * by copying the object onto itself, which makes S3 send a fresh
 * ObjectCreated:Copy event down the normal path; a ticket whose upload URL
 * has expired with no object ends FAILED. It also finishes the images that
 * ended but were never finished: byStatus holds an image until its push is
 * recorded and, for a LABELED image with catalog names, until the claim of
 * the last of them (api/table.ts). One whose push lease has lapsed unpushed,
 * or that is pushed with names left to count, has no run left finishing it
 * (a push or an index step that failed after this reconciler's own work,
 * which no queue message retries), so it is pushed if need be, indexed,
 * counted and called back here (functions/shared/ended-image.ts
 * finishEndedImage). An ended image on byStatus with nothing left to do (its
 * names all counted, or ended before push leases existed with no names to
 * count, which counts as pushed) only has its key removed. So has one whose
 * push failed maxPushAttempts times (lapsed leases taken over, image-push.ts
 * counts them) and that ended over giveUpAfterSeconds ago, under its push
 * lease, taken first, so no run pushes it meanwhile (ended-images.ts
 * giveUpPush): if LABELED,
 * its search entries and catalog count are written, then the key is removed
 * and an error logged. It gets no completion callback (callback.ts claims one
 * only for a pushed image). A push that always fails is so not retried, read
 * and examined every run for good.
 * The index projects no status, so each image is read (an eventually
 * consistent GetItem: every table write that follows is conditional on the
 * item as it then is, or idempotent, and a stale read's re-drive, the one
 * unconditional action, is a duplicate event the labeler's conditional write
 * ignores) before anything is done for it.
 *
 * Never a re-drive while the object's event may still be queued. Uploads go
 * through the labelling queue (api/labeling-queue.ts), where an event may
 * wait through a backlog and be received again and again while Rekognition
 * throttles; a re-drive then would only add a second event, and a second
 * Rekognition call. An event is in that queue for at most its retention plus
 * one visibility timeout (maxQueuedEventAgeSeconds), and it entered it soon
 * after the object was written (HeadObject's LastModified: an upload, or a
 * re-drive's copy), so the age that counts is the object's, not the image's:
 *
 *   object written ──(event lag)── event queued ──(retention + visibility timeout)── event surely gone
 *   |<─────────────── redriveAfterSeconds: the object is re-driven only after it ───────────────>|
 *
 * The event lag (eventLagSeconds) covers a PUT's transfer (LastModified may
 * date its start, as it dates a multipart upload from its initiation) and
 * S3's delivery (seconds, at times a minute or more). LastModified has whole
 * seconds, so the write was up to a second after it. An object written more
 * recently is counted as `queued` and left alone, however old the image: a
 * re-drive writes the object again, so an image re-driven while its copy's
 * event waits in a backlog is not re-driven again, and again, every run
 * until that event is handled. The image's createdAt decides nothing for an
 * object (written after its ticket was made, so never older than the image);
 * it bounds the Query, and fails a ticket with no object once its URL has
 * expired (URL ttl + grace), as before.
 * Offline the queue lives in memory, so no event of an earlier start is
 * queued: the start-up run passes redriveAfterSeconds 0 and, as `now`, the
 * whole second from which the stack's S3 serves, so the images created since
 * are not even looked at, and one created before but uploaded since (written
 * in that second or after) is `queued`, not re-driven
 * (local/reconcile-at-start.ts).
 *
 * Two passes, so never-uploaded tickets cannot starve uploaded images:
 *
 *   pass 1 (oldest first): read each image, a few at a time; set aside the ended ones
 *          left unfinished; HeadObject each PENDING one; re-drive at once what exists
 *          and was written long enough ago, set aside expired tickets.
 *   pass 2: finish the set-aside ended images, give up the set-aside pushes that always
 *          fail, then fail the set-aside tickets (each a conditional write and a push).
 *
 * Pass 1 starts an image only while more than failPassReserveMs of the
 * invocation is left (checked per image: a page of re-drives can outlast it),
 * and reads byStatus in pages of queryPageSize, so a short timeout
 * (api/manifest.ts) still leaves pass 2 its time. What it leaves is `unexamined`;
 * every run reads byStatus from its oldest image, so the next one comes to it
 * again, after what this one examined and left there (re-driven images wait
 * for their event, queued, and cost it a read and a HeadObject each, no copy).
 *
 * A ticket costs pass 1 one GetItem and one HeadObject (404 with
 * s3:ListBucket, api/access.ts), never a push, so any number of them only
 * delays a re-drive by those reads. Every image is handled on its own: an error is logged and
 * counted, and the run goes on. Runs may overlap (its schedule's runs do not
 * as a rule, api/scheduled-runs.ts, but EventBridge and Lambda's async queue
 * deliver at least once, and anyone may invoke it): a re-drive is a duplicate event the labeler's
 * conditional write ignores, failing a ticket is a conditional update,
 * pushing an ended image, or giving its push up, first takes its lapsed
 * lease with one, and its search entries are idempotent and its catalog
 * names claimed once
 * (functions/shared/catalog.ts); a labeler run still indexing an image (one
 * created over an hour before, through a backlog) may so see its entries
 * written twice, never counted twice.
 */
import { CopyObjectCommand, HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { uploadKeyFor } from '../../api/media.ts';
import { maxQueuedEventAgeSeconds } from '../../api/labeling-queue.ts';
import { UploadLimits } from '../../api/limits.ts';
import { ImagesTableLayout } from '../../api/table.ts';
import { ImageStatus, type Image } from '../../api/types.ts';
import { finishEndedImage } from '../shared/ended-image.ts';
import { PushDeferredError } from '../shared/errors.ts';
import { getImage, type StoredImage } from '../shared/image-store.ts';
import { markImageFailed, type MarkFailedDeps } from '../shared/mark-image-failed.ts';
import { endedImageAction, GiveUpSettings, giveUpPush, leaveIndex, recoveryKey } from './ended-images.ts';

/** A PUT that started just before the URL expired may still be arriving. */
const expiryGraceSeconds = 300;
/** From an object's LastModified to its event in the labelling queue, at most (see above): a PUT's transfer and S3's delivery. */
const eventLagSeconds = 300;

export const ReconcileSettings = {
  /** An object written (LastModified) more recently than this may still have its event in the labelling queue (see above): 12 h 11 min. */
  redriveAfterSeconds: eventLagSeconds + maxQueuedEventAgeSeconds(),
  expiryGraceSeconds,
  eventLagSeconds,
  /** Images looked at per run (a read each, and a HeadObject each PENDING one); the next run picks up the rest. */
  maxExaminedPerRun: 10_000,
  /**
   * Images per byStatus Query page. Without a Limit one 1 MB page holds thousands of entries (~200 bytes each: the
   * keys and three short projected attributes): a page after the first is read only when pass 1 still has time to
   * start on it (the first is read whatever the time, so a run with none says what it left: `unexamined`), and a run
   * that stops leaves at most this many read in vain.
   */
  queryPageSize: 500,
  /** Expired tickets failed per run, after every re-drive. */
  maxFailedPerRun: 1_000,
  /** HeadObject and re-drive calls in flight at once. */
  concurrency: 8,
  /** Pass 1 starts no image while this much of the invocation is left, or less: the rest of it is pass 2's. */
  failPassReserveMs: 90_000,
  /** Pass 2 stops while this much is left: one failure's push and callback fit in it. */
  finishReserveMs: 30_000,
  /** maxPushAttempts and giveUpAfterSeconds: when a push is given up (ended-images.ts). */
  ...GiveUpSettings,
} as const;

export const expiredTicketReason = 'upload URL expired, nothing was uploaded';

export interface ReconcileDeps extends MarkFailedDeps {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Milliseconds left of the invocation (Lambda's context.getRemainingTimeInMillis). @default - no time limit */
  readonly remainingTimeMs?: () => number;
}

export interface ReconcileLimits {
  readonly maxExaminedPerRun: number;
  readonly maxFailedPerRun: number;
  readonly queryPageSize: number;
}

export interface ReconcileOptions {
  /**
   * Re-drive an object only once this long has passed since it was written (LastModified, an upload or a re-drive's
   * copy); 0 for a restart's run as of its start, when no event of an object written before it can be queued.
   */
  readonly redriveAfterSeconds?: number;
  /** The time the run is for (a scheduled event's `time`); ages are measured from it. @default the clock */
  readonly now?: Date;
  /** @default ReconcileSettings */
  readonly limits?: Partial<ReconcileLimits>;
}

export interface ReconcileSummary {
  /** Images looked at on byStatus: PENDING ones, and ended ones not finished yet. */
  readonly pending: number;
  readonly redriven: number;
  /** Tickets failed because their upload URL expired unused. */
  readonly expired: number;
  /** Not uploaded yet, and the URL may still be used. */
  readonly waiting: number;
  /** Uploaded, but written (uploaded or re-driven) too recently to re-drive: its event may still be in the labelling queue. */
  readonly queued: number;
  /** Expired tickets and unfinished ended images left for the next run (limit or time). */
  readonly deferred: number;
  /**
   * Images read off byStatus that pass 1 left unexamined for want of time (failPassReserveMs); those after them on
   * the index were not read. The next run reads byStatus oldest first again, so it comes to them after the images
   * this one examined that are still there (each a read and a HeadObject, no copy, once re-driven or waiting).
   */
  readonly unexamined: number;
  /** Ended images no run had pushed (their lease lapsed), pushed by this run. */
  readonly pushed: number;
  /** Ended images already pushed whose search entries and catalog count a run had left undone, finished by this run. */
  readonly finished: number;
  /** Ended images whose push lease a run still holds: left to it, looked at again by the next run. */
  readonly pushing: number;
  /**
   * Ended images taken off byStatus unpushed or with nothing left to do: finished already, ended before push
   * leases existed, or whose push failed maxPushAttempts times and over giveUpAfterSeconds ago (given up, logged as
   * an error; a LABELED one's search entries and catalog count written first; no completion callback).
   */
  readonly dropped: number;
  /** Images whose handling failed this run (logged); they stay on byStatus for the next one. */
  readonly errors: number;
}

type PendingImage = Pick<Image, 'id' | 'createdAt' | 'contentType'>;

async function* pendingImages(deps: ReconcileDeps, createdBefore: string, pageSize: number): AsyncGenerator<PendingImage[]> {
  const index = ImagesTableLayout.byStatusIndex;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.store.documentClient.send(
      new QueryCommand({
        TableName: deps.store.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#status = :pending AND #createdAt <= :before',
        ExpressionAttributeNames: { '#status': index.partitionKey, '#createdAt': index.sortKey },
        ExpressionAttributeValues: { ':pending': ImageStatus.PENDING, ':before': createdBefore },
        ProjectionExpression: 'id, createdAt, contentType',
        Limit: pageSize,
        ExclusiveStartKey,
      }),
    );
    yield (page.Items ?? []) as PendingImage[];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/**
 * The object's last write (LastModified, whole seconds), or undefined for no object: 404 means none; anything
 * else (403 without s3:ListBucket, throttling) is an error for this image.
 */
async function objectWrittenAt(deps: ReconcileDeps, key: string, runAt: Date): Promise<Date | undefined> {
  try {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: deps.bucket, Key: key }));
    // S3 always answers it; without it, nothing says the object's event is gone: written as of the run, so `queued`.
    return head.LastModified ?? runAt;
  } catch (error) {
    if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
    throw error;
  }
}

/** An in-place copy must change something; S3 then emits ObjectCreated:Copy for the key. */
async function redrive(deps: ReconcileDeps, image: PendingImage, at: Date): Promise<void> {
  const key = uploadKeyFor(image.id);
  await deps.s3.send(
    new CopyObjectCommand({
      Bucket: deps.bucket,
      Key: key,
      CopySource: `${deps.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
      MetadataDirective: 'REPLACE',
      ContentType: image.contentType,
      Metadata: { 'redriven-at': at.toISOString() },
    }),
  );
}

/**
 * Runs `work` on the items in order, at most `limit` at a time, starting each only while `mayStart()`: a page's
 * items may take longer than the time left (a re-drive each), so the time is checked per item, not per page.
 * Resolves with how many were started: the first that many items.
 */
async function eachLimited<T>(items: readonly T[], limit: number, mayStart: () => boolean, work: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (next < items.length && !stopped) {
      if (!mayStart()) {
        stopped = true;
        return;
      }
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return next;
}

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const now = options.now ?? deps.now?.() ?? new Date();
  const limits: ReconcileLimits = { ...ReconcileSettings, ...options.limits };
  const redriveAfterMs = (options.redriveAfterSeconds ?? ReconcileSettings.redriveAfterSeconds) * 1000;
  const expiresAfterMs = (UploadLimits.urlTtlSeconds + ReconcileSettings.expiryGraceSeconds) * 1000;
  // Old enough for either outcome: a re-drive (an object is written after its ticket is made, so an image younger
  // than redriveAfterMs has no object old enough), or failing an expired ticket.
  const createdBefore = new Date(now.getTime() - Math.min(redriveAfterMs, expiresAfterMs)).toISOString();
  const endedBefore = new Date(now.getTime() - ReconcileSettings.giveUpAfterSeconds * 1000).toISOString();
  const ageOf = (image: PendingImage) => now.getTime() - Date.parse(image.createdAt);
  // LastModified has whole seconds: the write was before LastModified + 1 s. So its event is surely gone once that
  // plus redriveAfterMs has passed; with 0 (a restart's run), when it was written before the run's second.
  const eventSurelyGone = (writtenAt: Date) => writtenAt.getTime() + 1000 + redriveAfterMs <= now.getTime();
  const timeLeft = (reserveMs: number) => (deps.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY) > reserveMs;
  const summary = { pending: 0, redriven: 0, expired: 0, waiting: 0, queued: 0, deferred: 0, unexamined: 0, pushed: 0, finished: 0, pushing: 0, dropped: 0, errors: 0 };
  const failed = (image: PendingImage, step: string, error: unknown) => {
    summary.errors += 1;
    deps.logger.error(`reconcile: ${step} failed; the next run tries again`, { imageId: image.id, error: error as Error });
  };

  // Pass 1: re-drive every uploaded image before any ticket is failed.
  const expiredTickets: PendingImage[] = [];
  const unfinished: StoredImage[] = [];
  // Pushes to give up: a lease write, the search entries and catalog count, a removal; pass 2 work, under its time check.
  const givenUp: StoredImage[] = [];
  const pass1MayStart = () => timeLeft(ReconcileSettings.failPassReserveMs);
  pages: for await (const page of pendingImages(deps, createdBefore, limits.queryPageSize)) {
    const batch = page.slice(0, limits.maxExaminedPerRun - summary.pending);
    const started = await eachLimited(batch, ReconcileSettings.concurrency, pass1MayStart, async (image) => {
      let stored: StoredImage | undefined;
      try {
        // Eventually consistent (half the read units): every table write that follows is conditional on the item as it
        // is, or idempotent; a re-drive (CopyObject) is not, but one after a stale read is a duplicate event the labeler ignores.
        stored = await getImage(deps.store, image.id, { consistent: false });
      } catch (error) {
        failed(image, 'GetItem', error);
        return;
      }
      // Deleted since the index was read, or finished just now (the index follows the table a moment later).
      if (!stored || stored[recoveryKey] === undefined) return;
      if (stored.status !== ImageStatus.PENDING) {
        const clock = { nowMs: (deps.now?.() ?? new Date()).getTime(), endedBefore };
        const ended = endedImageAction(stored, clock);
        if (ended === 'finish') unfinished.push(stored);
        else if (ended === 'pushing') summary.pushing += 1;
        else if (ended === 'push-given-up') givenUp.push(stored);
        else {
          await leaveIndex(deps, stored, ended).then(
            (left) => void (summary.dropped += left ? 1 : 0),
            (error: unknown) => failed(image, 'taking it off byStatus', error),
          );
        }
        return;
      }
      let writtenAt: Date | undefined;
      try {
        writtenAt = await objectWrittenAt(deps, uploadKeyFor(image.id), now);
      } catch (error) {
        failed(image, 'HeadObject', error);
        return;
      }
      if (writtenAt === undefined) {
        if (ageOf(image) >= expiresAfterMs) expiredTickets.push(image);
        else summary.waiting += 1;
      } else if (!eventSurelyGone(writtenAt)) {
        summary.queued += 1;
      } else {
        await redrive(deps, image, now).then(
          () => void (summary.redriven += 1),
          (error: unknown) => failed(image, 're-drive', error),
        );
      }
    });
    summary.pending += started;
    summary.unexamined += batch.length - started;
    if (started < batch.length || summary.pending >= limits.maxExaminedPerRun || !pass1MayStart()) break pages;
  }

  // Pass 2: finish the ended images no run is finishing, give up the pushes that always fail, then fail expired
  // tickets, each oldest first (workers
  // finish out of order). finishReserveMs keeps room for a push; a run shorter than that after all defers it
  // (PushDeferredError), and the image stays on byStatus for the next run.
  const oldestFirst = (a: PendingImage, b: PendingImage) => a.createdAt.localeCompare(b.createdAt);
  unfinished.sort(oldestFirst);
  for (const [position, image] of unfinished.entries()) {
    if (!timeLeft(ReconcileSettings.finishReserveMs)) {
      summary.deferred += unfinished.length - position;
      break;
    }
    try {
      const outcome = await finishEndedImage(deps, image);
      if (outcome === 'pushed') summary.pushed += 1;
      else summary.finished += 1;
    } catch (error) {
      if (error instanceof PushDeferredError) summary.deferred += 1;
      else failed(image, 'finishing the ended image', error);
    }
  }
  givenUp.sort(oldestFirst);
  for (const [position, image] of givenUp.entries()) {
    if (!timeLeft(ReconcileSettings.finishReserveMs)) {
      summary.deferred += givenUp.length - position;
      break;
    }
    // The clock as of this give-up: its lease is taken now, not when pass 1 read the image.
    const clock = { nowMs: (deps.now?.() ?? new Date()).getTime(), endedBefore };
    await giveUpPush(deps, image, clock).then(
      (left) => void (summary.dropped += left ? 1 : 0),
      (error: unknown) => failed(image, 'giving its push up', error),
    );
  }
  expiredTickets.sort(oldestFirst);
  for (const [position, image] of expiredTickets.entries()) {
    if (position >= limits.maxFailedPerRun || !timeLeft(ReconcileSettings.finishReserveMs)) {
      summary.deferred += expiredTickets.length - position;
      break;
    }
    try {
      if ((await markImageFailed(deps, image.id, expiredTicketReason)) === 'failed') summary.expired += 1;
    } catch (error) {
      if (error instanceof PushDeferredError) summary.deferred += 1;
      else failed(image, 'failing the expired ticket', error);
    }
  }
  deps.logger.info('reconciled', { ...summary });
  return summary;
}
