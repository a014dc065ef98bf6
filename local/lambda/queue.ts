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
 * Receive, delete and visibility changes cost O(log n) a message they touch
 * (heaps by send order, visibility and sent time; see LocalQueue), never a
 * scan of the queue: a storm of 150,000 queued events is polled as fast as
 * an empty queue.
 *
 * Not persisted: a stopped stack loses what was queued, and the start-up
 * reconciler run re-drives the PENDING uploads made before the start instead
 * (local/reconcile-at-start.ts).
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
import { MinHeap } from './min-heap.ts';

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

/** Where a stored message is: handed out next, hidden until `visibleAt`, or deleted (moved, expired). */
type MessageState = 'visible' | 'hidden' | 'gone';

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  readonly senderId: string;
  /** Send order in this queue: visible messages are handed out oldest first. */
  readonly sequence: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  receiptHandle?: string;
  state: MessageState;
  /** Bumped at each change of state: a heap entry of an older version is stale and skipped. */
  version: number;
}

/** A message in one of the queue's heaps, ordered by `at`, live while the message is still at `version`. */
interface HeapEntry {
  readonly message: StoredMessage;
  readonly version: number;
  readonly at: number;
}

const entryBefore = (a: HeapEntry, b: HeapEntry) => a.at < b.at || (a.at === b.at && a.message.sequence < b.message.sequence);

/** A heap is compacted once its stale entries outnumber its live ones (plus this slack): memory stays within twice the messages held. */
const compactionSlack = 64;

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
  /**
   * Each message is in one of two heaps by its state (visible: by send
   * order; hidden: by when it becomes visible) and in the retention heap (by
   * sent time) until it is gone. Entries are dropped lazily (a stale version
   * or a gone message is skipped when it comes up), so a receive, delete or
   * visibility change costs O(log n) a message it touches.
   */
  private readonly visible = new MinHeap<HeapEntry>(entryBefore);
  private readonly hidden = new MinHeap<HeapEntry>(entryBefore);
  private readonly bySentAt = new MinHeap<StoredMessage>((a, b) => a.sentAt < b.sentAt || (a.sentAt === b.sentAt && a.sequence < b.sequence));
  /** The latest receipt handle of each received message still held: a stale handle finds nothing. */
  private readonly byReceiptHandle = new Map<string, StoredMessage>();
  private stored = 0;
  private visibleCount = 0;
  private nextSequence = 0;
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
    const message: StoredMessage = {
      messageId,
      body,
      sentAt: options.sentAt ?? this.now(),
      senderId: options.senderId ?? 'AIDALABELCASTLOCAL',
      sequence: this.nextSequence++,
      receiveCount: 0,
      visibleAt: this.now(),
      state: 'gone',
      version: 0,
    };
    this.stored += 1;
    this.bySentAt.push(message);
    this.makeVisible(message);
    for (const listener of this.listeners) listener();
    return messageId;
  }

  /** ReceiveMessage: up to `max` visible messages, oldest sent first, hidden for `visibilityTimeoutMs` (the queue's by default). */
  public receive(max: number, visibilityTimeoutMs = this.visibilityTimeoutMs): ReceivedMessage[] {
    const now = this.now();
    this.dropExpired(now);
    this.revealDue(now);
    const received: ReceivedMessage[] = [];
    while (received.length < max) {
      const entry = this.visible.pop();
      if (!entry) break;
      const { message } = entry;
      if (entry.version !== message.version) continue;
      const redrive = this.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.remove(message);
        redrive.deadLetterQueue.send(message.body, { messageId: message.messageId, sentAt: message.sentAt, senderId: message.senderId });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      if (message.receiptHandle !== undefined) this.byReceiptHandle.delete(message.receiptHandle);
      message.receiptHandle = randomUUID();
      this.byReceiptHandle.set(message.receiptHandle, message);
      this.hide(message, now + visibilityTimeoutMs);
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
    this.compact();
    return received;
  }

  /** DeleteMessage with the latest receipt handle; false when it is stale (received again since) or unknown. */
  public delete(receiptHandle: string): boolean {
    const message = this.byReceiptHandle.get(receiptHandle);
    if (!message) return false;
    this.remove(message);
    this.compact();
    return true;
  }

  /** ChangeMessageVisibility: the message becomes visible `timeoutMs` from now. */
  public changeVisibility(receiptHandle: string, timeoutMs: number): boolean {
    const message = this.byReceiptHandle.get(receiptHandle);
    if (!message) return false;
    this.hide(message, this.now() + timeoutMs);
    this.compact();
    if (timeoutMs === 0) for (const listener of this.listeners) listener();
    return true;
  }

  /** Milliseconds until the next hidden message becomes visible; undefined when none is hidden. */
  public nextVisibleInMs(): number | undefined {
    const now = this.now();
    this.revealDue(now);
    const next = this.liveTop(this.hidden);
    return next === undefined ? undefined : next.at - now;
  }

  /** ApproximateNumberOfMessages (visible) and ApproximateNumberOfMessagesNotVisible (in flight or waiting). */
  public counts(): { readonly visible: number; readonly notVisible: number } {
    const now = this.now();
    this.dropExpired(now);
    this.revealDue(now);
    return { visible: this.visibleCount, notVisible: this.stored - this.visibleCount };
  }

  /** Told whenever a message is sent (or made visible at once); returns the unsubscribe function. */
  public onMessage(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private makeVisible(message: StoredMessage): void {
    this.leaveState(message);
    message.state = 'visible';
    this.visibleCount += 1;
    this.visible.push({ message, version: message.version, at: message.sequence });
  }

  private hide(message: StoredMessage, visibleAt: number): void {
    this.leaveState(message);
    message.state = 'hidden';
    message.visibleAt = visibleAt;
    this.hidden.push({ message, version: message.version, at: visibleAt });
  }

  private remove(message: StoredMessage): void {
    if (message.state === 'gone') return;
    this.leaveState(message);
    message.state = 'gone';
    this.stored -= 1;
    if (message.receiptHandle !== undefined) this.byReceiptHandle.delete(message.receiptHandle);
  }

  /** Makes every heap entry of the message stale. */
  private leaveState(message: StoredMessage): void {
    if (message.state === 'visible') this.visibleCount -= 1;
    message.version += 1;
  }

  /** Hidden messages whose time has come are visible again. */
  private revealDue(now: number): void {
    for (let next = this.liveTop(this.hidden); next !== undefined && next.at <= now; next = this.liveTop(this.hidden)) {
      this.hidden.pop();
      this.makeVisible(next.message);
    }
  }

  /** The heap's first live entry, stale ones above it dropped. */
  private liveTop(heap: MinHeap<HeapEntry>): HeapEntry | undefined {
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      if (top.version === top.message.version) return top;
      heap.pop();
    }
    return undefined;
  }

  /** A message older than the retention period is gone, wherever it is (SQS deletes it, received or not). */
  private dropExpired(now: number): void {
    const oldest = now - this.options.retentionMs;
    for (let top = this.bySentAt.peek(); top !== undefined && (top.state === 'gone' || top.sentAt <= oldest); top = this.bySentAt.peek()) {
      this.bySentAt.pop();
      this.remove(top);
    }
  }

  private compact(): void {
    const live = (entry: HeapEntry) => entry.version === entry.message.version;
    if (this.visible.size > 2 * this.visibleCount + compactionSlack) this.visible.retain(live);
    if (this.hidden.size > 2 * (this.stored - this.visibleCount) + compactionSlack) this.hidden.retain(live);
    if (this.bySentAt.size > 2 * this.stored + compactionSlack) this.bySentAt.retain((message) => message.state !== 'gone');
  }
}
