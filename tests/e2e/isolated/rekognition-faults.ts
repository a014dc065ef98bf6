/**
 * Rekognition overloaded or broken, on the isolated stack (tests/e2e/isolated/stack.ts): faults injected in
 * the local Rekognition (its non-AWS fault endpoint) answer exactly as
 * Rekognition does. Short throttling is absorbed by the labeler's SDK
 * retries; longer throttling sends the message back to the labelling queue
 * and is waited out, never FAILED; another error that outlasts the SDK's
 * retries on three receives of the message ends the image FAILED with the
 * reason, pushed once (api/labeling-queue.ts).
 *
 * A stack no other file uses because a fault is stack-wide (any labelling takes it) and the counts asserted
 * are exact; and because the part is mostly waiting (the SDK's backoff, the queue's redelivery), which is best
 * done beside the serial parts (tests/e2e/serial.test.ts) rather than in their chain. It runs after the
 * image-properties part: the labelers it throttles (the SDK's adaptive mode then slows their client) are
 * replaced by the gallery part's restart before anything else is labelled.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Image } from '../../../api/types.ts';
import { LabelingQueueSettings } from '../../../api/labeling-queue.ts';
import { LabelcastClient } from '../../../client-example/lib/labelcast-client.ts';
import { rekognitionRetry } from '../../../functions/labeler/rekognition-retry.ts';
import type { RunningStack } from '../../../local/child-process-stack.ts';
import { fixture } from '../../support/amplify-client.ts';
import { jpegVariant } from '../../support/jpeg-variant.ts';
import { clearFaults, injectFault } from '../../support/rekognition-faults.ts';
import { rekognitionStats } from '../../support/rekognition-stats.ts';
import { isolatedStack } from './stack.ts';

describe('Faults: Rekognition throttling and permanent failure', () => {
  let stack: RunningStack;
  let client: LabelcastClient;

  beforeAll(() => {
    // Amplify points at the isolated stack from its start on.
    stack = isolatedStack();
    client = new LabelcastClient();
  });

  /** Uploads bytes no other test uploaded (so no labels are reused) and records the image's pushes. */
  const upload = async (fileName: string) => {
    const bytes = jpegVariant(await fixture('cat.jpg'));
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength, fileName });
    const recorder = client.recordEvents(ticket.imageId);
    await recorder.ready;
    await client.upload(ticket, bytes);
    return { imageId: ticket.imageId, recorder };
  };

  afterEach(async () => {
    await clearFaults(stack);
  });

  it('labels an image whose DetectLabels is throttled three times, retrying in the labeler', async () => {
    // Prepare
    const before = await rekognitionStats(stack);
    await injectFault({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 3 }, stack);

    // Act
    const { recorder } = await upload('throttled.jpg');
    const pushed = await recorder.first;
    recorder.stop();

    // Assess
    expect(pushed.status, JSON.stringify(pushed)).toBe('LABELED');
    expect(pushed.labels.map((label) => label.name)).toContain('Cat');
    const after = await rekognitionStats(stack);
    expect(after.faultsInjected - before.faultsInjected).toBe(3);
    expect(after.DetectLabels - before.DetectLabels).toBeGreaterThanOrEqual(4);
  });

  it('waits out throttling that outlasts the SDK\'s retries: the message goes back to the queue, and the image is LABELED, pushed once', async () => {
    // Prepare: more throttled calls than one receive's SDK attempts
    const before = await rekognitionStats(stack);
    const throttled = rekognitionRetry.maxAttempts + 2;
    await injectFault({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: throttled }, stack);

    // Act
    const { imageId, recorder } = await upload('long-throttle.jpg');
    const pushed = await recorder.first;
    const stored = await client.image(imageId);
    recorder.stop();

    // Assess
    expect(pushed.status, JSON.stringify(pushed)).toBe('LABELED');
    expect(recorder.events).toHaveLength(1);
    expect(stored?.status).toBe('LABELED');
    const after = await rekognitionStats(stack);
    expect(after.faultsInjected - before.faultsInjected).toBe(throttled);
    expect(after.DetectLabels - before.DetectLabels).toBeGreaterThan(throttled);
  }, 120_000);

  it('fails an image whose DetectLabels always fails on its last receive: FAILED with the reason, pushed once; then labels again once cleared', async () => {
    // Prepare
    const before = await rekognitionStats(stack);
    await injectFault({ operation: 'DetectLabels', errorCode: 'InternalServerError' }, stack);

    // Act
    const { imageId, recorder } = await upload('broken.jpg');
    const pushed = await recorder.first;
    const stored = await client.image(imageId);
    recorder.stop();
    const afterFailure = await rekognitionStats(stack);
    await clearFaults(stack);
    const next = await upload('after-clear.jpg');
    const nextPushed = await next.recorder.first;
    next.recorder.stop();

    // Assess: the failed image
    expect(pushed.status).toBe('FAILED');
    expect(pushed.error).toBe(`labelling failed after ${LabelingQueueSettings.errorAttempts} attempts: InternalServerError`);
    expect(pushed.labels).toEqual([]);
    expect(recorder.events).toHaveLength(1);
    expect(stored).toMatchObject<Partial<Image>>({ status: 'FAILED', error: pushed.error });
    // 3 receives of the message, each retried by the SDK: every DetectLabels call was answered with the fault.
    const calls = afterFailure.DetectLabels - before.DetectLabels;
    expect(calls).toBeGreaterThanOrEqual(LabelingQueueSettings.errorAttempts * 2);
    expect(afterFailure.faultsInjected - before.faultsInjected).toBe(calls);

    // Assess: the stack labels normally again
    expect(nextPushed.status, JSON.stringify(nextPushed)).toBe('LABELED');
    expect(nextPushed.labels.map((label) => label.name)).toContain('Cat');
  });
});
