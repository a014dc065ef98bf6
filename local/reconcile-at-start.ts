/**
 * The event of the reconciler run each offline start makes (local/stack.ts)
 * when it opens a stored table. The labelling queue lives in memory, so a
 * restart loses every event that was queued: the run re-drives at once
 * (redriveAfterSeconds 0) every PENDING upload, as no event of an earlier
 * start can still be queued. Not those of this start: an image created since
 * the start came through this start's AppSync, which serves only once the
 * queue's mapping is wired, so its upload's event is in the live queue, and a
 * re-drive would be a second event and a second Rekognition call. `time` is
 * the start: the run judges as of then (functions/reconciler/reconcile-event.ts),
 * so it does not look at an image created after it, and it re-drives only an
 * object written before the start's second (HeadObject's LastModified): a
 * ticket issued before the restart and uploaded since has its event in the
 * live queue, and counts as `queued`. So does an upload made in the start's
 * own second before the start (LastModified cannot tell them apart): it is
 * re-driven by a periodic run once its age allows, hours later.
 */
export interface StartupReconcileEvent {
  /** ISO-8601 with milliseconds: the start, not the second it fell in. */
  readonly time: string;
  readonly redriveAfterSeconds: 0;
}

export const startupReconcileEvent = (startedAt: Date): StartupReconcileEvent => ({ time: startedAt.toISOString(), redriveAfterSeconds: 0 });
