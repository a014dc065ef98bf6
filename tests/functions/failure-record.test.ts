import { describe, expect, it } from 'vitest';
import { failedImagesOf, type OnFailureRecord } from '../../functions/labeling-failed/failure-record.ts';

/** Lambda's on-failure destination record for an S3 event, as the local runtime and AWS both write it. */
const destinationRecord = (keys: string[], condition = 'RetriesExhausted', errorType = 'ThrottlingException'): OnFailureRecord => ({
  requestContext: { condition, approximateInvokeCount: 3 },
  requestPayload: { Records: keys.map((key) => ({ s3: { bucket: { name: 'bucket' }, object: { key, size: 10 } } })) },
  responsePayload: { errorType, errorMessage: 'Rate exceeded\n    at secret/internal/path.ts:12' },
});

describe('Function: failedImagesOf', () => {
  it('names every image of the failed S3 event, with the attempts and the error type', () => {
    // Prepare
    const record = destinationRecord(['uploads/a', 'uploads/b']);

    // Act
    const failed = failedImagesOf(record);

    // Assess
    expect(failed).toEqual([
      { imageId: 'a', reason: 'labelling failed after 3 attempts: ThrottlingException' },
      { imageId: 'b', reason: 'labelling failed after 3 attempts: ThrottlingException' },
    ]);
  });

  it('keeps the error message, which may hold internals, out of the reason', () => {
    const [failed] = failedImagesOf(destinationRecord(['uploads/a']));

    expect(failed?.reason).not.toContain('internal');
  });

  it('says when the event expired in the queue', () => {
    const [failed] = failedImagesOf(destinationRecord(['uploads/a'], 'EventAgeExceeded'));

    expect(failed?.reason).toContain('expired before it could be processed');
  });

  it('ignores keys outside the uploads prefix and payloads that are not S3 events', () => {
    expect(failedImagesOf(destinationRecord(['thumbnails/a']))).toEqual([]);
    expect(failedImagesOf({ ...destinationRecord([]), requestPayload: { detail: {} } })).toEqual([]);
  });
});
