import type { S3EventRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { uploadedObjectFrom } from '../../functions/shared/uploaded-object.ts';

const record = (key: string, size = 10) =>
  ({ s3: { bucket: { name: 'bucket' }, object: { key, size } } }) as unknown as S3EventRecord;

describe('Function: uploadedObjectFrom', () => {
  it('takes the image id from a key under uploads/', () => {
    expect(uploadedObjectFrom(record('uploads/abc-123', 42))).toEqual({
      bucket: 'bucket',
      key: 'uploads/abc-123',
      imageId: 'abc-123',
      sizeBytes: 42,
    });
  });

  it('keeps the ETag without the quotes some events carry', () => {
    const withETag = { s3: { bucket: { name: 'bucket' }, object: { key: 'uploads/abc', size: 1, eTag: '"d41d8cd98f00b204e9800998ecf8427e"' } } } as unknown as S3EventRecord;
    expect(uploadedObjectFrom(withETag)?.eTag).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('decodes keys as S3 events encode them', () => {
    expect(uploadedObjectFrom(record('uploads/a+b%2Bc'))?.imageId).toBe('a b+c');
  });

  it.each(['thumbnails/abc', 'uploads/', 'uploads/a/b', 'uploadsx/abc'])('ignores %s', (key) => {
    expect(uploadedObjectFrom(record(key))).toBeUndefined();
  });
});
