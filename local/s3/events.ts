/**
 * S3 event notifications in the record format S3 delivers to Lambda
 * (event structure version 2.1).
 */
import type { S3Event, S3EventRecord } from 'aws-lambda';

export const ObjectCreatedEventName = {
  Put: 'ObjectCreated:Put',
  Post: 'ObjectCreated:Post',
  Copy: 'ObjectCreated:Copy',
  CompleteMultipartUpload: 'ObjectCreated:CompleteMultipartUpload',
} as const;

export type ObjectCreatedEventName = (typeof ObjectCreatedEventName)[keyof typeof ObjectCreatedEventName];

export interface ObjectCreated {
  readonly eventName: ObjectCreatedEventName;
  readonly region: string;
  readonly bucket: string;
  /** The object key, not encoded. */
  readonly key: string;
  readonly size: number;
  /** MD5 hex, without quotes. */
  readonly eTag: string;
  readonly principalId: string;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly hostId: string;
  readonly time?: Date;
}

/**
 * S3 URL-encodes keys in notifications the way HTML forms do: a space
 * becomes '+', while '/' stays as it is.
 */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Reverses encodeEventKey, as a Lambda handler must. */
export function decodeEventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

let lastSequencer = 0n;

/** Increasing hex string: S3 orders events on one key by it. */
function nextSequencer(): string {
  const now = BigInt(Date.now()) << 16n;
  lastSequencer = now > lastSequencer ? now : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(16, '0');
}

/** The owner of every local bucket. */
const localOwnerId = 'LABELCASTLOCAL';

export function objectCreatedEvent(created: ObjectCreated): S3Event {
  const record: S3EventRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: created.region,
    eventTime: (created.time ?? new Date()).toISOString(),
    eventName: created.eventName,
    userIdentity: { principalId: created.principalId },
    requestParameters: { sourceIPAddress: created.sourceIp },
    responseElements: { 'x-amz-request-id': created.requestId, 'x-amz-id-2': created.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'labelcast-object-created',
      bucket: {
        name: created.bucket,
        ownerIdentity: { principalId: localOwnerId },
        arn: `arn:aws:s3:::${created.bucket}`,
      },
      object: {
        key: encodeEventKey(created.key),
        size: created.size,
        eTag: created.eTag,
        sequencer: nextSequencer(),
      },
    },
  };
  return { Records: [record] };
}
