/**
 * A local SQS standard queue, in memory, with the semantics an event source
 * mapping relies on:
 * - a received message is invisible for the visibility timeout, then
 *   visible again unless it was deleted with its latest receipt handle;
 * - each receive counts (ApproximateReceiveCount); with a redrive policy, a
 *   message already received maxReceiveCount times is moved to the
 *   dead-letter queue the next time it would be received, keeping its id,
 *   body and sent time (the retention clock keeps running from it);
 * - a message older than the retention period is dropped, as SQS drops it.
 *
 * Not persisted: a stopped stack loses what was queued, and the start-up
 * reconciler run re-drives every PENDING upload instead (local/stack.ts).
 *
 * @example
 * const dlq = new LocalQueue({ name: 'dlq', arn, visibilityTimeoutMs: 1000, retentionMs: 60_000 });
 * const queue = new LocalQueue({ name: 'q', arn, visibilityTimeoutMs: 1000, retentionMs: 60_000, redrive: { deadLetterQueue: dlq, maxReceiveCount: 3 } });
 * queue.send('{"Records":[]}');
 * const [message] = queue.receive(10);
 * queue.delete(message.receiptHandle);
 */
import { createHash, randomUUID } from 'node:crypto';
import { LocalQueueError } from './errors.ts';

export interface LocalQueueOptions {
  readonly name: string;
  readonly arn: string;
  readonly visibilityTimeoutMs: number;
  readonly retentionMs: number;
  /** @default - no dead-letter queue */
  readonly redrive?: { readonly deadLetterQueue: LocalQueue; readonly maxReceiveCount: number };
  /** @default Date.now */
  readonly now?: () => number;
}

/** A message as ReceiveMessage returns it, with the attributes an SQS ESM puts in each record. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    readonly SenderId: string;
    readonly ApproximateFirstReceiveTimestamp: string;
  };
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  readonly senderId: string;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  receiptHandle?: string;
}

export interface SendOptions {
  /** @default a new id */
  readonly messageId?: string;
  /** @default now */
  readonly sentAt?: number;
  /** @default the local account */
  readonly senderId?: string;
}

export class LocalQueue {
  public readonly name: string;
  public readonly arn: string;
  public readonly visibilityTimeoutMs: number;
  private readonly messages: StoredMessage[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  public constructor(private readonly options: LocalQueueOptions) {
    if (!(options.visibilityTimeoutMs >= 0)) throw new LocalQueueError(`visibilityTimeoutMs must be 0 or more, got ${options.visibilityTimeoutMs}`);
    if (!(options.retentionMs > 0)) throw new LocalQueueError(`retentionMs must be positive, got ${options.retentionMs}`);
    const maxReceiveCount = options.redrive?.maxReceiveCount;
    if (maxReceiveCount !== undefined && !(Number.isInteger(maxReceiveCount) && maxReceiveCount >= 1 && maxReceiveCount <= 1000)) {
      throw new LocalQueueError(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
    }
    this.name = options.name;
    this.arn = options.arn;
    this.visibilityTimeoutMs = options.visibilityTimeoutMs;
    this.now = options.now ?? Date.now;
  }

  /** SendMessage: returns the message id. */
  public send(body: string, options: SendOptions = {}): string {
    const messageId = options.messageId ?? randomUUID();
    this.messages.push({
      messageId,
      body,
      sentAt: options.sentAt ?? this.now(),
      senderId: options.senderId ?? 'AIDALABELCASTLOCAL',
      receiveCount: 0,
      visibleAt: this.now(),
    });
    for (const listener of this.listeners) listener();
    return messageId;
  }

  /** ReceiveMessage: up to `max` visible messages, hidden for `visibilityTimeoutMs` (the queue's by default). */
  public receive(max: number, visibilityTimeoutMs = this.visibilityTimeoutMs): ReceivedMessage[] {
    this.dropExpired();
    const now = this.now();
    const received: ReceivedMessage[] = [];
    for (const message of [...this.messages]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = this.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.remove(message);
        redrive.deadLetterQueue.send(message.body, { messageId: message.messageId, sentAt: message.sentAt, senderId: message.senderId });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      received.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        md5OfBody: createHash('md5').update(message.body).digest('hex'),
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: message.senderId,
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
        },
      });
    }
    return received;
  }

  /** DeleteMessage with the latest receipt handle; false when it is stale (received again since) or unknown. */
  public delete(receiptHandle: string): boolean {
    const message = this.messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (!message) return false;
    this.remove(message);
    return true;
  }

  /** ChangeMessageVisibility: the message becomes visible `timeoutMs` from now. */
  public changeVisibility(receiptHandle: string, timeoutMs: number): boolean {
    const message = this.messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (!message) return false;
    message.visibleAt = this.now() + timeoutMs;
    if (timeoutMs === 0) for (const listener of this.listeners) listener();
    return true;
  }

  /** Milliseconds until the next hidden message becomes visible; undefined when none is hidden. */
  public nextVisibleInMs(): number | undefined {
    const now = this.now();
    // A loop, not Math.min(...hidden): spreading ~125,000 values overflows the stack, and the poller calls this from timers.
    let earliest: number | undefined;
    for (const message of this.messages) if (message.visibleAt > now && (earliest === undefined || message.visibleAt < earliest)) earliest = message.visibleAt;
    return earliest === undefined ? undefined : earliest - now;
  }

  /** ApproximateNumberOfMessages (visible) and ApproximateNumberOfMessagesNotVisible (in flight or waiting). */
  public counts(): { readonly visible: number; readonly notVisible: number } {
    this.dropExpired();
    const now = this.now();
    const visible = this.messages.filter((message) => message.visibleAt <= now).length;
    return { visible, notVisible: this.messages.length - visible };
  }

  /** Told whenever a message is sent (or made visible at once); returns the unsubscribe function. */
  public onMessage(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dropExpired(): void {
    const oldest = this.now() - this.options.retentionMs;
    for (const message of [...this.messages]) if (message.sentAt <= oldest) this.remove(message);
  }

  private remove(message: StoredMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }
}
