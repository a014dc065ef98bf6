/**
 * How much of its invocation a labelling-queue message needs, declared once,
 * so the batch's reserve (queue-batch.ts), the check before Rekognition is
 * asked (label-image.ts) and the detection's bound (detect.ts) cannot drift
 * apart from each other or from the push's margin (endMarginMs,
 * functions/shared/image-push.ts):
 *
 *   message start ─ reads ─┬─ detection (≥ detectionMs) ─ checks ─┬─ terminal write and push
 *                          │<──────────────────── toDetectMs (at least) ───────────────────>│
 *   │<──────────────────────────────── startReserveMs ──────────────────────────────────────>│
 *
 * A detection is cut (detectionBoundMs) only where the invocation would have
 * just the checks' allowance and endMarginMs left, so a message whose
 * detection takes as long as it may still ends and pushes its image: a paid
 * Rekognition call is not followed by a deferral (PushDeferredError at the
 * terminal write) unless the checks after it outlast their allowance, and
 * then the fresh detection is stored first (label-image.ts), so the redo
 * reuses it rather than paying again. With less than toDetectMs left when its
 * detection would start (slow reads), the message is deferred before
 * Rekognition is asked, and before it makes any media.
 */
import { PushSettings } from '../shared/image-push.ts';

/** The parts, in milliseconds. */
export const LabelerTimeBudget = {
  /**
   * The least time a detection starts with: DetectLabels and
   * DetectModerationLabels side by side, each with the SDK's retries and
   * their backoff (rekognition-retry.ts). Long enough to wait out short
   * throttling in the client. The detection itself is cut (detect.ts) only
   * when the invocation would have no time left to end the image
   * (detectionBoundMs), which is this or more; longer throttling goes back to
   * the queue (DetectionDeadlineError).
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

/**
 * The bound of a detection started with `remainingMs` of the invocation left: all of it but what follows the
 * detection, so a detection is never cut while the image could still be ended after it. At least detectionMs, as
 * a detection starts only with toDetectMs left.
 */
export const detectionBoundMs = (remainingMs: number): number => remainingMs - LabelerTimeBudget.afterDetectionMs - PushSettings.endMarginMs;
