/**
 * How much of its invocation a labelling-queue message needs, declared once,
 * so the batch's reserve (queue-batch.ts), the check before Rekognition is
 * asked (label-image.ts) and the detection's bound (detect.ts) cannot drift
 * apart from each other or from the push's margin (endMarginMs,
 * functions/shared/image-push.ts):
 *
 *   message start ─ reads ─┬─ detection, cut at detectionMs ─ checks ─┬─ terminal write and push
 *                          │<─────────────────────── toDetectMs ─────────────────────────────────>│
 *   │<────────────────────────────────── startReserveMs ───────────────────────────────────────────>│
 *
 * A message started with startReserveMs left, whose detection takes as long
 * as it may, still ends and pushes its image: a paid Rekognition call is not
 * followed by a deferral (PushDeferredError at the terminal write) and done
 * again on a later receive. With less than toDetectMs left when its detection
 * would start (slow reads), the message is deferred before Rekognition is
 * asked, so nothing is paid for twice.
 */
import { PushSettings } from '../shared/image-push.ts';

/** The parts, in milliseconds. */
export const LabelerTimeBudget = {
  /**
   * The detection's bound: DetectLabels and DetectModerationLabels side by
   * side, each with the SDK's retries and their backoff (rekognition-retry.ts),
   * cut there (detect.ts). Long enough to wait out short throttling in the
   * client; longer throttling goes back to the queue (DetectionDeadlineError).
   */
  detectionMs: 20_000,
  /**
   * What a message does before its detection (the image record, the pinned
   * bytes, a stored result for them): single reads of milliseconds each.
   * An allowance, not a bound: slower reads defer the message before Rekognition.
   */
  beforeDetectionMs: 2_500,
  /**
   * What it does after, before its terminal write (the version check of an
   * object Rekognition read itself, the kept original and thumbnail made
   * meanwhile): an allowance, inside which the end still has endMarginMs.
   */
  afterDetectionMs: 2_500,
} as const;

/** A detection starts only with this much of the invocation left: itself at its longest, what follows, and the end (endMarginMs). */
export const toDetectMs = LabelerTimeBudget.detectionMs + LabelerTimeBudget.afterDetectionMs + PushSettings.endMarginMs;

/** A message starts only with this much left: its reads, then all a detection needs (toDetectMs). */
export const startReserveMs = LabelerTimeBudget.beforeDetectionMs + toDetectMs;
