/**
 * Reads Lambda's on-failure destination record for an async invoke of the
 * labeler: which images the S3 event was about, and why it failed.
 */
import type { S3Event } from 'aws-lambda';
import { uploadedObjectFrom } from '../shared/uploaded-object.ts';

/** The fields we read of Lambda's destination record (version 1.0). */
export interface OnFailureRecord {
  readonly requestContext: { readonly condition: string; readonly approximateInvokeCount: number };
  readonly requestPayload: unknown;
  readonly responsePayload?: { readonly errorType?: string; readonly errorMessage?: string } | null;
}

export interface FailedImage {
  readonly imageId: string;
  readonly reason: string;
}

const isS3Event = (payload: unknown): payload is S3Event =>
  typeof payload === 'object' && payload !== null && Array.isArray((payload as S3Event).Records);

/** Short and free of stack traces: the reason is shown to the image's owner. */
function reasonOf(record: OnFailureRecord): string {
  const attempts = record.requestContext.approximateInvokeCount;
  const cause =
    record.requestContext.condition === 'EventAgeExceeded'
      ? 'the upload event expired before it could be processed'
      : `${record.responsePayload?.errorType ?? 'Error'}`;
  return `labelling failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause}`;
}

export function failedImagesOf(record: OnFailureRecord): FailedImage[] {
  if (!isS3Event(record.requestPayload)) return [];
  const reason = reasonOf(record);
  return record.requestPayload.Records.flatMap((s3Record) => {
    const object = uploadedObjectFrom(s3Record);
    return object ? [{ imageId: object.imageId, reason }] : [];
  });
}
