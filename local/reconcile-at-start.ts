/**
 * The event of the reconciler run each offline start makes (local/stack.ts)
 * when it opens a stored table. The labelling queue lives in memory, so a
 * restart loses every event that was queued: the run re-drives at once
 * (redriveAfterSeconds 0) the PENDING uploads made before the start, as no
 * event of an earlier start can still be queued (as many as one run examines:
 * up to maxExaminedPerRun, within its timeout; more wait for the scheduled
 * runs' re-drive age). Not those made since: this
 * start's S3 holds the events of what it takes until the queue is wired, so
 * their events are in the live queue, and a re-drive would be a second event
 * and a second Rekognition call. The run tells them apart by HeadObject's
 * LastModified (whole seconds): an object written before `time` is from an
 * earlier start (functions/reconciler/reconcile.ts). So `time` is the whole
 * second from which this start's S3 serves (nextWholeSecond, which the stack
 * waits for before S3 listens), and no upload of this start shares a second
 * with one of an earlier start. The run also judges ages as of then
 * (functions/reconciler/reconcile-event.ts), so it does not look at an image
 * created since (tickets are made only once AppSync serves, later still).
 */
export interface StartupReconcileEvent {
  /** ISO-8601: the whole second from which this start's S3 serves. */
  readonly time: string;
  readonly redriveAfterSeconds: 0;
}

export const startupReconcileEvent = (servesFrom: Date): StartupReconcileEvent => ({ time: servesFrom.toISOString(), redriveAfterSeconds: 0 });

/**
 * A file's time (what the local S3 dates an object by) may lag the clock by some milliseconds: the kernel stamps
 * files from a coarse clock, updated every tick (1 to 10 ms).
 */
export const fileTimeLagMs = 20;

/**
 * Waits for the next whole second of the clock, and fileTimeLagMs past it, and returns that second: no write of
 * this start's S3 is dated before it.
 */
export async function nextWholeSecond(): Promise<Date> {
  const target = (Math.floor(Date.now() / 1000) + 1) * 1000;
  const until = target + fileTimeLagMs;
  // A timer may fire a millisecond early: wait again until the clock is there.
  while (Date.now() < until) await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
  return new Date(target);
}
