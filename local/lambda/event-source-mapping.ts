/**
 * A local SQS event source mapping, run as Lambda runs one
 * (api/labeling-queue.ts declares them):
 * - it receives up to `batchSize` messages and invokes the function with them
 *   as an SQS event (`{ Records: [{ messageId, receiptHandle, body,
 *   attributes, … eventSource: 'aws:sqs' }] }`), never more than
 *   `maximumConcurrency` invocations at once;
 * - a successful invocation deletes its messages, except those its partial
 *   batch response lists (`{ batchItemFailures: [{ itemIdentifier }] }`); a
 *   response naming an id that is not in the batch, or an item without one,
 *   fails the whole batch, as Lambda treats it;
 * - a failed invocation (error, timeout, crash) deletes nothing;
 * - what is not deleted becomes visible again and counts one more receive:
 *   the queue moves it to its dead-letter queue past maxReceiveCount.
 *
 * Timing, offline: a message stays hidden while its invocation runs (on AWS
 * the visibility timeout, ≥ 6 × the function's timeout, guarantees the same),
 * then a failed one comes back `redeliveryDelayMs` after it ended; the stack
 * makes that the visibility timeout ÷ 60, as the local async retries wait
 * seconds where Lambda waits minutes.
 *
 * It runs no batching window (MaximumBatchingWindowInSeconds 0, as every
 * declared mapping; a window is refused as not modelled): a BatchSize over 10
 * is refused as Lambda refuses it without one (sqsBatchingProblem, the check
 * the synth makes too).
 *
 * Lambda polls with the function's role: `authorize` is asked at start for the
 * ESM's sqs actions, and a role without them stops the mapping there, with the
 * message CreateEventSourceMapping answers.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsBatchingProblem, type EventSourceMappingSpec } from '../../api/labeling-queue.ts';
import { EventSourceMappingError } from './errors.ts';
import type { LocalQueue, ReceivedMessage } from './queue.ts';

export interface LocalEventSourceMappingOptions {
  readonly queue: LocalQueue;
  readonly spec: Pick<EventSourceMappingSpec, 'batchSize' | 'maximumConcurrency' | 'reportBatchItemFailures'> &
    Partial<Pick<EventSourceMappingSpec, 'maximumBatchingWindowSeconds'>>;
  readonly region: string;
  /** Invokes the function (RequestResponse); rejects when it fails. */
  readonly invoke: (event: SQSEvent) => Promise<unknown>;
  /** How long an invocation may run: its messages stay hidden at least this long. */
  readonly functionTimeoutMs: number;
  /** How long a message that was not deleted stays hidden after its invocation ended. */
  readonly redeliveryDelayMs: number;
  /** Told about each failed invocation. */
  readonly onInvokeError?: (error: unknown) => void;
}

/** `{ retry }`: the ids to keep; `'all'`: the whole batch failed. */
type BatchOutcome = { readonly retry: ReadonlySet<string> } | 'all';

/** Reads a partial batch response as Lambda does (AWS "Handling errors for an SQS event source"). */
export function batchOutcomeOf(response: unknown, batch: readonly { messageId: string }[], reportBatchItemFailures: boolean): BatchOutcome {
  const none = { retry: new Set<string>() };
  if (!reportBatchItemFailures || response === null || response === undefined) return none;
  if (typeof response !== 'object' || Array.isArray(response)) return 'all';
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === null || failures === undefined) return none;
  if (!Array.isArray(failures)) return 'all';
  const ids = new Set(batch.map((message) => message.messageId));
  const retry = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return 'all';
    retry.add(id);
  }
  return { retry };
}

const sqsRecord = (message: ReceivedMessage, queue: LocalQueue, region: string): SQSRecord => ({
  messageId: message.messageId,
  receiptHandle: message.receiptHandle,
  body: message.body,
  attributes: { ...message.attributes },
  messageAttributes: {},
  md5OfBody: message.md5OfBody,
  eventSource: 'aws:sqs',
  eventSourceARN: queue.arn,
  awsRegion: region,
});

export class LocalEventSourceMapping {
  private running = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly batches = new Set<Promise<void>>();
  private readonly unsubscribe: () => void;

  public constructor(private readonly options: LocalEventSourceMappingOptions) {
    const { batchSize, maximumBatchingWindowSeconds = 0, maximumConcurrency } = options.spec;
    const problem = sqsBatchingProblem({ batchSize, maximumBatchingWindowSeconds });
    if (problem !== undefined) throw new EventSourceMappingError(problem);
    // What AWS would accept but this mapping does not run: it would hand batches sooner than declared.
    if (maximumBatchingWindowSeconds > 0) {
      throw new EventSourceMappingError(`the local event source mapping runs no batching window, got ${maximumBatchingWindowSeconds} s`);
    }
    if (!(Number.isInteger(maximumConcurrency) && maximumConcurrency >= 2 && maximumConcurrency <= 1000)) {
      throw new EventSourceMappingError(`ScalingConfig.MaximumConcurrency must be 2 to 1000, got ${maximumConcurrency}`);
    }
    this.unsubscribe = options.queue.onMessage(() => this.poll());
    this.poll();
  }

  /** Invocations running now (never more than maximumConcurrency). */
  public get inFlight(): number {
    return this.running;
  }

  /** Stops polling; the batches in flight end with their invocations (the runtime's shutdown fails them). */
  public close(): void {
    this.stopped = true;
    this.unsubscribe();
    clearTimeout(this.timer);
  }

  /** Resolves once no batch is in flight (for tests). */
  public async idle(): Promise<void> {
    while (this.batches.size > 0) await Promise.allSettled([...this.batches]);
  }

  /** Starts as many batches as the concurrency allows, then waits for the next message to become visible. */
  private poll(): void {
    if (this.stopped) return;
    const { queue, spec, functionTimeoutMs, redeliveryDelayMs } = this.options;
    while (this.running < spec.maximumConcurrency) {
      // Hidden for the whole invocation and then some; shortened once it ends (run()).
      const batch = queue.receive(spec.batchSize, functionTimeoutMs + redeliveryDelayMs);
      if (batch.length === 0) break;
      this.running += 1;
      const run = this.run(batch).finally(() => {
        this.running -= 1;
        this.batches.delete(run);
        this.poll();
      });
      this.batches.add(run);
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    const next = queue.nextVisibleInMs();
    if (next !== undefined && this.running < spec.maximumConcurrency) {
      this.timer = setTimeout(() => this.poll(), next + 1);
      this.timer.unref();
    }
  }

  private async run(batch: readonly ReceivedMessage[]): Promise<void> {
    const { queue, spec, region, redeliveryDelayMs } = this.options;
    let outcome: BatchOutcome;
    try {
      const response = await this.options.invoke({ Records: batch.map((message) => sqsRecord(message, queue, region)) });
      outcome = batchOutcomeOf(response, batch, spec.reportBatchItemFailures);
    } catch (error) {
      if (!this.stopped) this.options.onInvokeError?.(error);
      outcome = 'all';
    }
    for (const message of batch) {
      const retry = outcome === 'all' || outcome.retry.has(message.messageId);
      if (retry) queue.changeVisibility(message.receiptHandle, redeliveryDelayMs);
      else queue.delete(message.receiptHandle);
    }
  }
}
