/**
 * The labelling queue, declared once: S3 sends every ObjectCreated event under
 * the uploads prefix to an SQS queue, and an event source mapping (ESM) hands
 * its messages to the labeler, never more batches at once than the
 * Rekognition TPS quota allows, nor than leaves the API functions half the
 * account's Lambda concurrency once labeling-failed and the reconciler are
 * counted. Messages that keep failing move to a dead-letter queue, whose ESM
 * feeds labeling-failed.
 *
 * - infra/labeler.ts builds the queues and the mappings from it;
 * - local/stack.ts runs the same mappings offline (local/lambda/);
 * - api/access.ts derives each consumer's sqs actions from `eventSourceMappings`;
 * - the labeler (throttling vs. errors), labeling-failed (the reason) and the
 *   reconciler (when an event can no longer be queued) read its settings.
 *
 * Timeline of one message (V = visibility timeout, 6 × the labeler's timeout):
 *
 *   S3 event ─▶ queue ─▶ receive #1 ─▶ throttled ─(V)─▶ receive #2 ─▶ … ─▶ LABELED (deleted)
 *                                  └─▶ error ─(V)─▶ #2 ─(V)─▶ #3: still an error ─▶ FAILED (deleted)
 *                                  └─▶ too little time left to end it (PushDeferredError) ─(V)─▶ again, like throttling
 *   a run that never answers (crash, timeout) ─(V)─▶ again, up to maxReceiveCount ─▶ DLQ ─▶ labeling-failed ─▶ FAILED
 *
 * Plain data and functions: bundled into Lambda code too.
 */
import { lambdaFunctions, type LambdaFunctionName } from './manifest.ts';
import { scheduledFunctions, scheduledRunsAtOnce } from './scheduled-runs.ts';

/** The queues, by logical name. */
export const QueueName = {
  labeling: 'labelingQueue',
  labelingDeadLetters: 'labelingDeadLetters',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** AWS's limit on an SQS ESM's ScalingConfig.MaximumConcurrency. */
export const EsmConcurrencyRange = { min: 2, max: 1000 } as const;

/** AWS's limits on an SQS (standard queue) ESM's batching: CreateEventSourceMapping. */
export const SqsBatchingLimits = { maxBatchSize: 10_000, maxBatchSizeWithoutWindow: 10, maxWindowSeconds: 300 } as const;

/** What an SQS ESM is handed: its batch size and batching window (MaximumBatchingWindowInSeconds, 0: none). */
export interface SqsBatching {
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
}

/**
 * Why CreateEventSourceMapping would refuse this batching for a standard SQS queue, in its words where they
 * are known (InvalidParameterValueException), or undefined. One check for the local ESM (local/lambda/) and
 * the synth (infra/queue-event-source.ts): a batch of more than 10 needs a batching window of at least 1 s.
 */
export function sqsBatchingProblem({ batchSize, maximumBatchingWindowSeconds: window }: SqsBatching): string | undefined {
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= SqsBatchingLimits.maxBatchSize)) {
    return `BatchSize must be 1 to ${SqsBatchingLimits.maxBatchSize}, got ${batchSize}`;
  }
  if (!(Number.isInteger(window) && window >= 0 && window <= SqsBatchingLimits.maxWindowSeconds)) {
    return `MaximumBatchingWindowInSeconds must be 0 to ${SqsBatchingLimits.maxWindowSeconds}, got ${window}`;
  }
  if (batchSize > SqsBatchingLimits.maxBatchSizeWithoutWindow && window < 1) {
    return `Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than ${SqsBatchingLimits.maxBatchSizeWithoutWindow}`;
  }
  return undefined;
}

export const LabelingQueueSettings = {
  /**
   * AWS recommends a queue visibility timeout of at least 6 × the function's
   * timeout for an SQS ESM: a batch Lambda retries after throttling its
   * invocation is then not delivered twice.
   */
  visibilityTimeoutFactor: 6,
  /**
   * Receives before a message moves to the dead-letter queue. A throttled
   * message is received again every visibility timeout, so throttling is
   * waited out for maxReceiveCount × V (30 × 6 min = 3 h) before it could
   * reach the DLQ; only a run that never answers (crash, timeout), or one
   * deferred on every receive (PushDeferredError), gets there in practice:
   * errors end FAILED after `errorAttempts` receives. From the DLQ,
   * labeling-failed ends the image FAILED with the reason.
   */
  maxReceiveCount: 30,
  /**
   * Receives a message failing with an error that is not throttling gets
   * before the labeler ends its image FAILED with the error as the reason
   * (what Lambda's async invoke gave: 1 + 2 retries).
   */
  errorAttempts: 3,
  /**
   * How long an event may wait in the queue. Longer than a backlog (10,000
   * images through cdk.json's 2 labelers, about an image a second each, take
   * over 80 min) plus maxReceiveCount × V, and shorter than
   * the day after which uploads expire (infra/upload-bucket.ts): an event
   * older than this is gone, and the reconciler may re-drive its image while
   * its object is still there.
   */
  retentionSeconds: 12 * 3600,
  /** What a dead letter waits for labeling-failed: SQS's maximum, 14 days. */
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  /**
   * Messages per labeler invocation, labelled one after the other, so each
   * running labeler makes at most one call of each Rekognition operation at a time.
   */
  batchSize: 4,
  /** Dead letters per labeling-failed invocation. */
  deadLetterBatchSize: 10,
} as const;

/** The deployment's quotas the labeler's concurrency derives from (cdk.json context, infra/README.md). */
export interface LabelingQuotas {
  /** Rekognition's per-operation TPS quota for DetectLabels and DetectModerationLabels (the lower of the two). */
  readonly rekognitionTps: number;
  /** The account's Lambda concurrent executions quota (10 on new accounts). */
  readonly lambdaConcurrency: number;
}

/** Used when cdk.json gives none: Rekognition's smallest regional default, and a new account's Lambda quota. */
export const defaultLabelingQuotas: LabelingQuotas = { rekognitionTps: 5, lambdaConcurrency: 10 };

/** A quota setting that is no positive number, or an account too small to keep the API functions their half. */
export class LabelingQuotaError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'LabelingQuotaError';
  }
}

/** Visibility timeout of a queue consumed by `consumer`: 6 × its timeout. */
export const visibilityTimeoutSecondsFor = (consumer: LambdaFunctionName): number =>
  LabelingQueueSettings.visibilityTimeoutFactor * lambdaFunctions[consumer].timeoutSeconds;

/**
 * The background's concurrency besides the labeler, as declared: every other
 * mapping's MaximumConcurrency and the runs of each scheduled function that can
 * overlap (api/scheduled-runs.ts). With today's declarations, labeling-failed's 2
 * and the reconciler's 1.
 */
export function otherBackgroundConcurrency(): ReadonlyMap<LambdaFunctionName, number> {
  const shares = new Map<LambdaFunctionName, number>([[deadLetterMapping.function, deadLetterMapping.maximumConcurrency]]);
  for (const [name] of scheduledFunctions()) shares.set(name, (shares.get(name) ?? 0) + scheduledRunsAtOnce(name));
  return shares;
}

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

/** The smallest Lambda concurrency quota whose half holds the labeler's minimum beside the rest of the background. */
export const minimumLambdaConcurrency = (): number => 2 * (EsmConcurrencyRange.min + sum(otherBackgroundConcurrency().values()));

/**
 * The labeler's ESM MaximumConcurrency. Each running labeler labels one image
 * at a time and calls each Detect operation once per image, which takes at
 * least about a second (Rekognition's own latency, S3, DynamoDB, the push),
 * so N running labelers stay at or under N calls per second per operation:
 * N = the TPS quota. But the background (the labeler, labeling-failed's
 * mapping, the reconciler's runs: otherBackgroundConcurrency) never holds
 * more than half the account's Lambda concurrency together, so
 * presign-upload, presign-download and delete-image always find the other
 * half (the ESMs cap the consumers without reserved concurrency, which would
 * take from the account's unreserved pool). AWS's range is 2–1,000; a quota
 * under 2 TPS is still kept, by throttling that the labeler waits out.
 *
 * An account whose half cannot hold the labeler's 2 beside the rest
 * (lambdaConcurrency under minimumLambdaConcurrency(), 10 today: a new
 * account's quota) is refused with a LabelingQuotaError rather than
 * deployed with the API functions' room silently below half: raise the quota.
 *
 * @example labelerMaximumConcurrency({ rekognitionTps: 50, lambdaConcurrency: 1000 }) // 50
 * @example labelerMaximumConcurrency({ rekognitionTps: 5, lambdaConcurrency: 10 }) // 2: 2 + 2 + 1 = 5 of 10
 */
export function labelerMaximumConcurrency(quotas: LabelingQuotas): number {
  for (const [name, value] of Object.entries(quotas)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new LabelingQuotaError(`${name} must be a positive number, got ${JSON.stringify(value)}`);
    }
  }
  const others = otherBackgroundConcurrency();
  const byAccount = Math.floor(quotas.lambdaConcurrency / 2) - sum(others.values());
  if (byAccount < EsmConcurrencyRange.min) {
    const shares = [...others].map(([name, share]) => `${name} ${share}`).join(', ');
    throw new LabelingQuotaError(
      `lambdaConcurrency must be at least ${minimumLambdaConcurrency()}, got ${quotas.lambdaConcurrency}: half of it must hold the labeler's ` +
        `${EsmConcurrencyRange.min} (AWS's least MaximumConcurrency) beside the rest of the background (${shares}), ` +
        'so the API functions keep the other half; ask for a higher Lambda concurrency quota',
    );
  }
  const byTps = Math.floor(quotas.rekognitionTps);
  return Math.max(EsmConcurrencyRange.min, Math.min(byTps, byAccount, EsmConcurrencyRange.max));
}

/** One queue: who consumes it and where its failures go. */
export interface QueueSpec {
  readonly consumer: LambdaFunctionName;
  readonly retentionSeconds: number;
  /** @default - none (it is itself a dead-letter queue) */
  readonly redrive?: { readonly deadLetterQueue: QueueName; readonly maxReceiveCount: number };
}

export const queues = {
  [QueueName.labeling]: {
    consumer: 'labeler',
    retentionSeconds: LabelingQueueSettings.retentionSeconds,
    redrive: { deadLetterQueue: QueueName.labelingDeadLetters, maxReceiveCount: LabelingQueueSettings.maxReceiveCount },
  },
  [QueueName.labelingDeadLetters]: {
    consumer: 'labelingFailed',
    retentionSeconds: LabelingQueueSettings.deadLetterRetentionSeconds,
  },
} as const satisfies Record<QueueName, QueueSpec>;

/** An SQS event source mapping, as AWS and the local Lambda runtime run it. */
export interface EventSourceMappingSpec {
  readonly queue: QueueName;
  readonly function: LambdaFunctionName;
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds: 0, none (a batch over 10 would need one: sqsBatchingProblem). */
  readonly maximumBatchingWindowSeconds: number;
  /** ScalingConfig.MaximumConcurrency: batches in flight at once. */
  readonly maximumConcurrency: number;
  /** FunctionResponseTypes ReportBatchItemFailures: `{ batchItemFailures: [{ itemIdentifier }] }` retries only those. */
  readonly reportBatchItemFailures: true;
  /** The queue's visibility timeout (a queue setting, derived from its consumer). */
  readonly visibilityTimeoutSeconds: number;
}

/**
 * The dead-letter queue's mapping. Failing images is cheap and rare: the
 * minimum concurrency, which still counts against the account (otherBackgroundConcurrency).
 */
const deadLetterMapping: EventSourceMappingSpec = {
  queue: QueueName.labelingDeadLetters,
  function: queues[QueueName.labelingDeadLetters].consumer,
  batchSize: LabelingQueueSettings.deadLetterBatchSize,
  maximumBatchingWindowSeconds: 0,
  maximumConcurrency: EsmConcurrencyRange.min,
  reportBatchItemFailures: true,
  visibilityTimeoutSeconds: visibilityTimeoutSecondsFor(queues[QueueName.labelingDeadLetters].consumer),
};

/** Both mappings, for the given quotas: the labeler's concurrency is the only thing that varies. */
export function eventSourceMappings(quotas: LabelingQuotas = defaultLabelingQuotas): readonly EventSourceMappingSpec[] {
  return [
    {
      queue: QueueName.labeling,
      function: queues[QueueName.labeling].consumer,
      batchSize: LabelingQueueSettings.batchSize,
      maximumBatchingWindowSeconds: 0,
      maximumConcurrency: labelerMaximumConcurrency(quotas),
      reportBatchItemFailures: true,
      visibilityTimeoutSeconds: visibilityTimeoutSecondsFor(queues[QueueName.labeling].consumer),
    },
    deadLetterMapping,
  ];
}

/** The queues a function consumes through a mapping (its role needs the ESM's sqs actions on them). */
export const queuesConsumedBy = (name: LambdaFunctionName): QueueName[] =>
  (Object.entries(queues) as [QueueName, QueueSpec][]).filter(([, spec]) => spec.consumer === name).map(([queue]) => queue);

/**
 * How long an upload's event may still be in the labelling queue: its
 * retention, plus one visibility timeout for a run that received it just
 * before. The reconciler re-drives an object only once this, plus a few
 * minutes for its event to reach the queue, has passed since it was written
 * (LastModified: an upload, or the reconciler's own re-drive's copy): before,
 * its event may still be queued, and a re-drive would only be a second
 * Rekognition call.
 */
export const maxQueuedEventAgeSeconds = (): number =>
  LabelingQueueSettings.retentionSeconds + visibilityTimeoutSecondsFor(queues[QueueName.labeling].consumer);

/** The actions Lambda's ESM calls on a queue with the function's role (AWSLambdaSQSQueueExecutionRole, and ChangeMessageVisibility). */
export const esmQueueActions = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'] as const;
