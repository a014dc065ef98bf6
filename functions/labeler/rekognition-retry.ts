/**
 * The labeler's Rekognition client retries. Throttling and 5xx answers are
 * retried in the client first: exponential backoff with full jitter, and
 * 'adaptive' also slows the client down when Rekognition throttles (TPS
 * limits are per account). Throttling that still fails, or retries that
 * outlast the detection's bound (time-budget.ts, where detect.ts cuts them),
 * go back to the labelling queue, to be tried again a visibility timeout
 * later; other errors do too, until their last attempt (queue-batch.ts).
 */
export const rekognitionRetry = { maxAttempts: 6, retryMode: 'adaptive' } as const;
