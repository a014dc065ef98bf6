/**
 * The local SQS queue and event source mapping (local/lambda/queue.ts,
 * event-source-mapping.ts): the semantics an SQS ESM has on AWS — visibility,
 * receive counts and the redrive to a dead-letter queue, partial batch
 * responses, batch size and maximum concurrency — on a clock the tests move.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { batchOutcomeOf, LocalEventSourceMapping } from '../../local/lambda/event-source-mapping.ts';
import { EventSourceMappingError, LocalQueueError } from '../../local/lambda/errors.ts';
import { LocalQueue } from '../../local/lambda/queue.ts';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, offset) => from + offset);

/** A clock the test moves by hand. */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function queues(clock = manualClock(), maxReceiveCount = 3) {
  const deadLetters = new LocalQueue({ name: 'dlq', arn: 'arn:aws:sqs:us-east-1:000000000000:dlq', visibilityTimeoutMs: 1000, retentionMs: 60_000, now: clock.now });
  const queue = new LocalQueue({
    name: 'q',
    arn: 'arn:aws:sqs:us-east-1:000000000000:q',
    visibilityTimeoutMs: 1000,
    retentionMs: 60_000,
    redrive: { deadLetterQueue: deadLetters, maxReceiveCount },
    now: clock.now,
  });
  return { clock, queue, deadLetters };
}

describe('Class: LocalQueue', () => {
  describe('Method: receive', () => {
    it('hides a received message for the visibility timeout, then hands it out again with one more receive', () => {
      // Prepare
      const { clock, queue } = queues();
      const id = queue.send('hello');

      // Act
      const [first] = queue.receive(10);
      const whileHidden = queue.receive(10);
      clock.advance(999);
      const justBefore = queue.receive(10);
      clock.advance(1);
      const [again] = queue.receive(10);

      // Assess
      expect(first).toMatchObject({ messageId: id, body: 'hello', attributes: { ApproximateReceiveCount: '1' } });
      expect(whileHidden).toEqual([]);
      expect(justBefore).toEqual([]);
      expect(again).toMatchObject({ messageId: id, attributes: { ApproximateReceiveCount: '2' } });
      expect(again?.receiptHandle).not.toBe(first?.receiptHandle);
    });

    it('hands out at most the number asked for', () => {
      const { queue } = queues();
      for (let index = 0; index < 5; index += 1) queue.send(`m${index}`);

      expect(queue.receive(2).map((message) => message.body)).toEqual(['m0', 'm1']);
      expect(queue.receive(10).map((message) => message.body)).toEqual(['m2', 'm3', 'm4']);
    });

    it('moves a message received maxReceiveCount times to the dead-letter queue, with its id and body', () => {
      // Prepare
      const { clock, queue, deadLetters } = queues(manualClock(), 3);
      const id = queue.send('poison');

      // Act: three receives that never delete it
      for (let receive = 0; receive < 3; receive += 1) {
        expect(queue.receive(1)).toHaveLength(1);
        clock.advance(1000);
      }
      const fourth = queue.receive(1);
      const [dead] = deadLetters.receive(1);

      // Assess
      expect(fourth).toEqual([]);
      expect(dead).toMatchObject({ messageId: id, body: 'poison', attributes: { ApproximateReceiveCount: '1' } });
      expect(queue.counts()).toEqual({ visible: 0, notVisible: 0 });
    });

    it('drops a message older than the retention period', () => {
      const { clock, queue } = queues();
      queue.send('old');
      clock.advance(60_000);

      expect(queue.receive(10)).toEqual([]);
    });

    it('hands out a message visible again before those sent after it, and drops one past retention while it is hidden', () => {
      // Prepare: m0 received (hidden), m1 and m2 sent after it; m3 received and never deleted
      const { clock, queue } = queues();
      queue.send('m0');
      const [m0] = queue.receive(1);
      queue.send('m1');
      queue.send('m2');
      clock.advance(1000);

      // Act: m0 is visible again
      const order = queue.receive(2).map((message) => message.body);
      clock.advance(59_000);
      const afterRetention = queue.counts();

      // Assess: m0 first (sent first), then m1; at 60 s every message, hidden or not, is dropped and m0's handle finds nothing
      expect(order).toEqual(['m0', 'm1']);
      expect(afterRetention).toEqual({ visible: 0, notVisible: 0 });
      expect(queue.delete(m0!.receiptHandle)).toBe(false);
    });

    it('hands out messages from a long queue in send order, batch after batch, counting what is left', () => {
      // Prepare
      const { queue } = queues();
      for (let index = 0; index < 1000; index += 1) queue.send(`m${index}`);

      // Act: receive and delete in batches of 10; every third batch is put back at once
      const bodies: string[] = [];
      for (let batch = 0; batch < 150; batch += 1) {
        const received = queue.receive(10);
        bodies.push(...received.map((message) => message.body));
        for (const message of received) {
          if (batch % 3 === 2) queue.changeVisibility(message.receiptHandle, 0);
          else queue.delete(message.receiptHandle);
        }
      }

      // Assess: a batch put back comes out again next, before the rest
      expect(bodies.slice(0, 40)).toEqual([...range(0, 20), ...range(20, 30), ...range(20, 30)].map((index) => `m${index}`));
      expect(queue.counts()).toEqual({ visible: 1000 - 100 * 10, notVisible: 0 });
    });
  });

  describe('Method: changeVisibility', () => {
    it('makes a message visible at once with 0, and hides one visible again with its latest handle', () => {
      // Prepare
      const { clock, queue } = queues();
      queue.send('m');
      const [first] = queue.receive(1);

      // Act / Assess
      expect(queue.changeVisibility(first!.receiptHandle, 0)).toBe(true);
      expect(queue.counts()).toEqual({ visible: 1, notVisible: 0 });
      expect(queue.changeVisibility(first!.receiptHandle, 500)).toBe(true);
      expect(queue.counts()).toEqual({ visible: 0, notVisible: 1 });
      expect(queue.nextVisibleInMs()).toBe(500);
      clock.advance(500);
      expect(queue.receive(1)).toMatchObject([{ body: 'm', attributes: { ApproximateReceiveCount: '2' } }]);
    });
  });

  describe('Method: delete', () => {
    it('deletes with the latest receipt handle only', () => {
      // Prepare
      const { clock, queue } = queues();
      queue.send('m');
      const [first] = queue.receive(1);
      clock.advance(1000);
      const [second] = queue.receive(1);

      // Act / Assess
      expect(queue.delete(first!.receiptHandle)).toBe(false);
      expect(queue.delete(second!.receiptHandle)).toBe(true);
      clock.advance(1000);
      expect(queue.receive(1)).toEqual([]);
    });
  });

  describe('Method: nextVisibleInMs', () => {
    it('answers with 150,000 messages hidden (an S3 event storm that every labeler fails), where spreading them into Math.min overflows the stack', () => {
      // Prepare: the earliest-received message becomes visible first. (Past ~125,000 a spread overflows node's default
      // stack, so the count stays; the ids are given, as the redrive gives them, which spares 150,000 randomUUID calls
      // (~0.3 s of CPU) in a test that never reads an id.)
      const { clock, queue } = queues();
      for (let index = 0; index < 150_000; index += 1) queue.send(`event-${index}`, { messageId: `event-${index}` });
      queue.receive(1);
      clock.advance(10);
      expect(queue.receive(150_000)).toHaveLength(149_999);

      // Act
      const next = queue.nextVisibleInMs();

      // Assess
      expect(next).toBe(990);
    });
  });

  it('refuses a maxReceiveCount SQS would refuse', () => {
    const deadLetterQueue = queues().deadLetters;
    expect(
      () => new LocalQueue({ name: 'q', arn: 'arn', visibilityTimeoutMs: 1, retentionMs: 1, redrive: { deadLetterQueue, maxReceiveCount: 0 } }),
    ).toThrow(LocalQueueError);
  });
});

describe('Function: batchOutcomeOf', () => {
  const batch = [{ messageId: 'a' }, { messageId: 'b' }];

  it('retries exactly the listed items', () => {
    expect(batchOutcomeOf({ batchItemFailures: [{ itemIdentifier: 'b' }] }, batch, true)).toEqual({ retry: new Set(['b']) });
  });

  it('treats an empty or missing list as a complete success', () => {
    for (const response of [{ batchItemFailures: [] }, { batchItemFailures: null }, {}, null, undefined]) {
      expect(batchOutcomeOf(response, batch, true)).toEqual({ retry: new Set() });
    }
  });

  it('treats an id outside the batch, an empty or missing id, or a response that is no object as a complete failure', () => {
    for (const response of [
      { batchItemFailures: [{ itemIdentifier: 'z' }] },
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ id: 'a' }] },
      { batchItemFailures: 'a' },
      'oops',
    ]) {
      expect(batchOutcomeOf(response, batch, true)).toBe('all');
    }
  });

  it('ignores the response when ReportBatchItemFailures is off', () => {
    expect(batchOutcomeOf({ batchItemFailures: [{ itemIdentifier: 'a' }] }, batch, false)).toEqual({ retry: new Set() });
  });
});

describe('Class: LocalEventSourceMapping', () => {
  const mappings: LocalEventSourceMapping[] = [];
  afterEach(() => {
    for (const mapping of mappings.splice(0)) mapping.close();
  });

  /** A real-time queue whose failed messages come back after `redeliveryDelayMs`. */
  function realTimeQueues(maxReceiveCount = 3) {
    const deadLetters = new LocalQueue({ name: 'dlq', arn: 'arn:aws:sqs:local:0:dlq', visibilityTimeoutMs: 50, retentionMs: 60_000 });
    const queue = new LocalQueue({
      name: 'q',
      arn: 'arn:aws:sqs:local:0:q',
      visibilityTimeoutMs: 50,
      retentionMs: 60_000,
      redrive: { deadLetterQueue: deadLetters, maxReceiveCount },
    });
    return { queue, deadLetters };
  }

  function mapping(
    queue: LocalQueue,
    invoke: (event: SQSEvent) => Promise<unknown>,
    spec: { batchSize: number; maximumConcurrency: number; maximumBatchingWindowSeconds?: number } = { batchSize: 2, maximumConcurrency: 2 },
  ) {
    const started = new LocalEventSourceMapping({
      queue,
      spec: { ...spec, reportBatchItemFailures: true },
      region: 'us-east-1',
      invoke,
      functionTimeoutMs: 1000,
      redeliveryDelayMs: 20,
    });
    mappings.push(started);
    return started;
  }

  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('hands the function SQS records in batches of at most batchSize, and deletes what succeeded', async () => {
    // Prepare
    const { queue } = realTimeQueues();
    const batches: SQSEvent[] = [];

    // Act
    for (let index = 0; index < 5; index += 1) queue.send(`m${index}`);
    mapping(queue, async (event) => void batches.push(event));
    await until(() => batches.flatMap((event) => event.Records).length === 5);

    // Assess
    expect(batches.every((event) => event.Records.length <= 2)).toBe(true);
    expect(batches[0]?.Records[0]).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: queue.arn, body: 'm0', attributes: { ApproximateReceiveCount: '1' } });
    await until(() => queue.counts().notVisible === 0);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0 });
  });

  it('refuses a BatchSize over 10, as CreateEventSourceMapping refuses it without a batching window, and takes 10', () => {
    // Prepare
    const { queue } = realTimeQueues();
    const invoke = async () => undefined;

    // Act / Assess
    expect(() => mapping(queue, invoke, { batchSize: 11, maximumConcurrency: 2 })).toThrow(EventSourceMappingError);
    expect(() => mapping(queue, invoke, { batchSize: 11, maximumConcurrency: 2 })).toThrow(
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
    expect(mapping(queue, invoke, { batchSize: 10, maximumConcurrency: 2 }).inFlight).toBe(0);
  });

  it('refuses a batching window, which it does not run, as it refuses the mappings AWS refuses', () => {
    // Prepare
    const { queue } = realTimeQueues();
    const invoke = async () => undefined;

    // Act / Assess
    expect(() => mapping(queue, invoke, { batchSize: 2, maximumConcurrency: 2, maximumBatchingWindowSeconds: 1 })).toThrow(EventSourceMappingError);
    expect(() => mapping(queue, invoke, { batchSize: 2, maximumConcurrency: 2, maximumBatchingWindowSeconds: 1 })).toThrow('runs no batching window, got 1 s');
  });

  it('never runs more than maximumConcurrency invocations at once', async () => {
    // Prepare
    const { queue } = realTimeQueues();
    let running = 0;
    let most = 0;
    let done = 0;

    // Act
    for (let index = 0; index < 12; index += 1) queue.send(`m${index}`);
    mapping(
      queue,
      async (event) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
        done += event.Records.length;
      },
      { batchSize: 1, maximumConcurrency: 3 },
    );
    await until(() => done === 12);

    // Assess
    expect(most).toBe(3);
  });

  it('puts back only the items of a partial batch response, which come again with one more receive', async () => {
    // Prepare
    const { queue } = realTimeQueues();
    const seen: { body: string; receives: string }[] = [];

    // Act: 'b' fails once
    queue.send('a');
    queue.send('b');
    mapping(queue, async (event) => {
      seen.push(...event.Records.map((record) => ({ body: record.body, receives: record.attributes.ApproximateReceiveCount })));
      const failed = event.Records.filter((record) => record.body === 'b' && record.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    await until(() => seen.length === 3);
    await until(() => queue.counts().notVisible === 0);

    // Assess
    expect(seen).toEqual([
      { body: 'a', receives: '1' },
      { body: 'b', receives: '1' },
      { body: 'b', receives: '2' },
    ]);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0 });
  });

  it('puts back the whole batch when the invocation fails, and a message past maxReceiveCount goes to the dead-letter queue and its own mapping', async () => {
    // Prepare
    const { queue, deadLetters } = realTimeQueues(2);
    let attempts = 0;
    const deadBodies: string[] = [];

    // Act
    queue.send('poison');
    mapping(queue, async () => {
      attempts += 1;
      throw new Error('crashed');
    });
    mapping(deadLetters, async (event) => void deadBodies.push(...event.Records.map((record) => record.body)));
    await until(() => deadBodies.length === 1);

    // Assess
    expect(attempts).toBe(2);
    expect(deadBodies).toEqual(['poison']);
  });

  it('keeps a message hidden while its invocation runs, longer than the visibility timeout', async () => {
    // Prepare
    const { queue } = realTimeQueues();
    let invocations = 0;
    let release: () => void = () => undefined;

    // Act: the first invocation outlasts the queue's 50 ms visibility timeout
    queue.send('slow');
    mapping(queue, async () => {
      invocations += 1;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await until(() => invocations === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const duringRun = invocations;
    release();

    // Assess
    expect(duringRun).toBe(1);
  });
});
