import { describe, expect, it } from 'vitest';
import { CallbackRefusedError, CallbackStatusError } from '../../functions/shared/callback-errors.ts';
import { errorDisposition, LabelcastError, PublishError, StaleUploadError, UnlabelableImageError } from '../../functions/shared/errors.ts';
import type { UploadedObject } from '../../functions/shared/uploaded-object.ts';

const named = (name: string) => Object.assign(new Error(`${name} happened`), { name });
const object = { bucket: 'b', key: 'uploads/x', imageId: 'x', sizeBytes: 1, eTag: 'e' } as UploadedObject;

describe('Function: errorDisposition', () => {
  it('waits out throttling from any service, by name or as the SDK classifies it', () => {
    expect(errorDisposition(named('ThrottlingException'))).toBe('throttled');
    expect(errorDisposition(named('ProvisionedThroughputExceededException'))).toBe('throttled');
    expect(errorDisposition(named('SlowDown'))).toBe('throttled');
    expect(errorDisposition(Object.assign(new Error('x'), { $retryable: { throttling: true } }))).toBe('throttled');
  });

  it('never retries what the functions call permanent', () => {
    expect(errorDisposition(new UnlabelableImageError('InvalidImageFormatException: not an image'))).toBe('permanent');
    expect(errorDisposition(new StaleUploadError(object))).toBe('permanent');
    expect(errorDisposition(new CallbackRefusedError('https://10.0.0.1/ is not allowed'))).toBe('permanent');
  });

  it('retries the rest: retryable errors of ours, SDK and network errors, bugs', () => {
    expect(errorDisposition(new PublishError('publishImageLabeled answered HTTP 502'))).toBe('transient');
    expect(errorDisposition(new CallbackStatusError(503))).toBe('transient');
    expect(errorDisposition(named('InternalServerError'))).toBe('transient');
    expect(errorDisposition(new TypeError('x is undefined'))).toBe('transient');
    expect(errorDisposition('a string')).toBe('transient');
  });

  it('gives every error of the functions the one base class and its own name', () => {
    for (const error of [new UnlabelableImageError('m'), new StaleUploadError(object), new PublishError('m'), new CallbackStatusError(500)]) {
      expect(error).toBeInstanceOf(LabelcastError);
      expect(error.name).toBe(error.constructor.name);
    }
  });
});
