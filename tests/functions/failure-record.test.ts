import { describe, expect, it } from 'vitest';
import { deadLetterReason, failedImagesOf } from '../../functions/labeling-failed/failure-record.ts';
import { LabelingQueueSettings } from '../../api/labeling-queue.ts';

/** A dead letter of the labelling queue: S3's event JSON as the message body. */
const deadLetter = (keys: string[]) => ({
  body: JSON.stringify({ Records: keys.map((key) => ({ s3: { bucket: { name: 'bucket' }, object: { key, size: 10, eTag: 'abc' } } })) }),
});

describe('Function: failedImagesOf', () => {
  it('names every image of the dead letter, with the attempts it had', () => {
    // Prepare
    const record = deadLetter(['uploads/a', 'uploads/b']);

    // Act
    const failed = failedImagesOf(record);

    // Assess
    const reason = `labelling failed after ${LabelingQueueSettings.maxReceiveCount} attempts: no attempt finished`;
    expect(failed).toEqual([
      { imageId: 'a', reason },
      { imageId: 'b', reason },
    ]);
    expect(deadLetterReason).toBe(reason);
  });

  it("ignores keys outside the uploads prefix, S3's test event and bodies that are no S3 event", () => {
    expect(failedImagesOf(deadLetter(['thumbnails/a']))).toEqual([]);
    expect(failedImagesOf({ body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'bucket' }) })).toEqual([]);
    expect(failedImagesOf({ body: '{"detail":{}}' })).toEqual([]);
    expect(failedImagesOf({ body: 'not json' })).toEqual([]);
  });
});
