/**
 * How many runs of a scheduled function can be in flight at once on AWS, from
 * its declaration in api/manifest.ts (timeout, period, async invoke settings).
 * The account's Lambda concurrency is shared by every function, so the labeler's
 * share (api/labeling-queue.ts) is what is left once these runs are counted.
 *
 * A run for the schedule's slot at time t starts at the latest
 *
 *   t + firingWindowSeconds      EventBridge fires a scheduled rule within the minute of its time
 *     + deliverySeconds          then invokes the target asynchronously (no target retry: targetRetryAttempts)
 *     + maxEventAgeSeconds       Lambda's async queue keeps the event at most this long (throttling waits there),
 *                                and drops it after; every retry of it starts within this age too
 *
 * and ends by that plus a cold start's init (initAllowanceSeconds, outside the
 * timeout) plus its timeout. A retry follows the failed run, so at most
 * ceil((latest start + init + timeout) / period) slots' runs overlap. That is
 * the expected bound, not a guarantee: EventBridge delivers at least once, and
 * Lambda may run an async event twice even without an error, so a rare
 * duplicate can run beside its slot's run. Nothing counts it: it takes one
 * more from the half the API functions keep (api/labeling-queue.ts), for one
 * run, and its work is a second run's, which the reconciler allows
 * (functions/reconciler/reconcile.ts).
 *
 * Plain data and functions: bundled into Lambda code too.
 */
import { lambdaFunctions, type LambdaFunctionName } from './manifest.ts';

export const ScheduleDelivery = {
  /** EventBridge's schedules have a minute's precision: a rule fires within that minute, not on its first second. */
  firingWindowSeconds: 60,
  /** From the rule firing to Lambda accepting the async invoke: EventBridge's guide speaks of "a delay of several seconds". */
  deliverySeconds: 10,
  /**
   * The schedule's target makes no retry (its default, 185, over up to 24 hours, would let a late delivery meet
   * the next period's run): a delivery that fails skips one period, whose work the next run does.
   */
  targetRetryAttempts: 0,
} as const;

/**
 * Lambda's init phase (a cold start's runtime start and imports) runs before the handler and outside its timeout,
 * for up to 10 s; an init cut there is redone within the invocation, under its timeout. The environment holds its
 * concurrency all the while, so a run holds it up to this plus its timeout.
 */
export const initAllowanceSeconds = 10;

/** What a scheduled function declares (api/manifest.ts). */
export interface ScheduledFunctionSpec {
  readonly timeoutSeconds: number;
  readonly scheduleMinutes: number;
  /** Lambda's asynchronous invocation settings (EventInvokeConfig). */
  readonly asyncInvoke: { readonly retryAttempts: number; readonly maxEventAgeSeconds: number };
}

/** The latest a scheduled run starts after its slot's time, in seconds. */
export const latestScheduledStartSeconds = (spec: ScheduledFunctionSpec): number =>
  ScheduleDelivery.firingWindowSeconds + ScheduleDelivery.deliverySeconds + spec.asyncInvoke.maxEventAgeSeconds;

/** Runs of a function with this schedule that can be in flight at once (1 when a run always ends before the next can start). */
export const scheduledRunsAtOnceOf = (spec: ScheduledFunctionSpec): number =>
  Math.ceil((latestScheduledStartSeconds(spec) + initAllowanceSeconds + spec.timeoutSeconds) / (spec.scheduleMinutes * 60));

/** The manifest's scheduled functions, by name. */
export const scheduledFunctions = (): [LambdaFunctionName, ScheduledFunctionSpec][] =>
  Object.entries(lambdaFunctions).flatMap(([name, spec]) => ('scheduleMinutes' in spec ? [[name as LambdaFunctionName, spec]] : []));

/** Runs of `name` that can be in flight at once: 0 for a function on no schedule. */
export function scheduledRunsAtOnce(name: LambdaFunctionName): number {
  const spec = lambdaFunctions[name];
  return 'scheduleMinutes' in spec ? scheduledRunsAtOnceOf(spec) : 0;
}
