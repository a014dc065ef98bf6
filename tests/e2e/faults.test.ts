/**
 * Rekognition overloaded or broken, on the shared stack: faults injected in
 * the local Rekognition (its non-AWS fault endpoint) answer exactly as
 * Rekognition does. Throttling is absorbed by the labeler's SDK retries; an
 * error that outlasts them and Lambda's two async retries lands in the
 * on-failure destination (a dead-letter record offline), and labeling-failed
 * ends the image FAILED with the reason, pushed once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Image } from '../../api/types.ts';
import type { DeadLetterRecord } from '../../local/lambda/runtime.ts';
import { fixture, labelcastClient } from '../support/amplify-client.ts';
import { jpegVariant } from '../support/jpeg-variant.ts';
import { clearFaults, injectFault } from '../support/rekognition-faults.ts';
import { rekognitionStats } from '../support/rekognition-stats.ts';

/** The dead-letter records whose S3 event names the image. */
function deadLettersFor(imageId: string): DeadLetterRecord[] {
  const dir = path.join(inject('stateDir'), 'dead-letters');
  return readdirSync(dir)
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as DeadLetterRecord)
    .filter((record) => JSON.stringify(record.requestPayload).includes(imageId));
}

describe('Faults: Rekognition throttling and permanent failure', () => {
  const client = labelcastClient();

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
    await clearFaults();
  });

  it('labels an image whose DetectLabels is throttled three times, retrying in the labeler', async () => {
    // Prepare
    const before = await rekognitionStats();
    await injectFault({ operation: 'DetectLabels', errorCode: 'ThrottlingException', count: 3 });

    // Act
    const { recorder } = await upload('throttled.jpg');
    const pushed = await recorder.first;
    recorder.stop();

    // Assess
    expect(pushed.status, JSON.stringify(pushed)).toBe('LABELED');
    expect(pushed.labels.map((label) => label.name)).toContain('Cat');
    const after = await rekognitionStats();
    expect(after.faultsInjected - before.faultsInjected).toBe(3);
    expect(after.DetectLabels - before.DetectLabels).toBeGreaterThanOrEqual(4);
  });

  it('fails an image whose DetectLabels always fails: dead-letter record, FAILED with the reason, pushed once; then labels again once cleared', async () => {
    // Prepare
    const before = await rekognitionStats();
    await injectFault({ operation: 'DetectLabels', errorCode: 'InternalServerError' });

    // Act
    const { imageId, recorder } = await upload('broken.jpg');
    const pushed = await recorder.first;
    const stored = await client.image(imageId);
    recorder.stop();
    const afterFailure = await rekognitionStats();
    await clearFaults();
    const next = await upload('after-clear.jpg');
    const nextPushed = await next.recorder.first;
    next.recorder.stop();

    // Assess: the failed image
    expect(pushed.status).toBe('FAILED');
    expect(pushed.error).toBe('labelling failed after 3 attempts: InternalServerError');
    expect(pushed.labels).toEqual([]);
    expect(recorder.events).toHaveLength(1);
    expect(stored).toMatchObject<Partial<Image>>({ status: 'FAILED', error: pushed.error });
    const [record, ...others] = deadLettersFor(imageId);
    expect(others).toEqual([]);
    expect(record?.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(record?.responsePayload.errorType).toBe('InternalServerError');
    // 3 Lambda attempts, each retried by the SDK: every DetectLabels call was answered with the fault.
    const calls = afterFailure.DetectLabels - before.DetectLabels;
    expect(calls).toBeGreaterThanOrEqual(3 * 2);
    expect(afterFailure.faultsInjected - before.faultsInjected).toBe(calls);

    // Assess: the stack labels normally again
    expect(nextPushed.status, JSON.stringify(nextPushed)).toBe('LABELED');
    expect(nextPushed.labels.map((label) => label.name)).toContain('Cat');
  });
});
