/**
 * What a reconciler run is told by its event. EventBridge's scheduled event
 * (`"detail-type": "Scheduled Event"`) carries `time`, the time the run was
 * scheduled for, as ISO-8601 (`2015-10-08T16:53:06Z`): ages are measured from
 * it, so a late run judges what was due at its slot and a test can run the
 * schedule as of a later time. Offline, the start-up run passes the
 * whole second from which the stack's S3 serves as `time`, with `redriveAfterSeconds` 0
 * (local/reconcile-at-start.ts): it re-drives only images created, and
 * objects written, before the start, whose events the restart lost.
 */
import type { ReconcileOptions } from './reconcile.ts';

/** A date and time with a zone (Z or ±hh:mm), as EventBridge writes `time`. */
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

export interface ReconcileEvent {
  readonly time?: unknown;
  readonly redriveAfterSeconds?: unknown;
}

/** Throws a TypeError naming the field for a `time` or `redriveAfterSeconds` that is present but not valid. */
export function reconcileOptionsOf(event: ReconcileEvent | null | undefined): ReconcileOptions {
  const { time, redriveAfterSeconds } = event ?? {};
  if (time !== undefined && (typeof time !== 'string' || !isoDateTime.test(time) || Number.isNaN(Date.parse(time)))) {
    throw new TypeError(`time must be an ISO-8601 date-time such as 2015-10-08T16:53:06Z, got ${JSON.stringify(time)}`);
  }
  if (redriveAfterSeconds !== undefined && (typeof redriveAfterSeconds !== 'number' || !Number.isFinite(redriveAfterSeconds) || redriveAfterSeconds < 0)) {
    throw new TypeError(`redriveAfterSeconds must be a number of seconds, 0 or more, got ${JSON.stringify(redriveAfterSeconds)}`);
  }
  return {
    ...(time === undefined ? {} : { now: new Date(time) }),
    ...(redriveAfterSeconds === undefined ? {} : { redriveAfterSeconds }),
  };
}
