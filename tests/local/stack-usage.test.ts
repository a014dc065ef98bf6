/** The stack's billed usage counters (local/stack-usage.ts): S3 pricing classes, Lambda GB-seconds. */
import { beforeEach, describe, expect, it } from 'vitest';
import { countLambdaRun, countS3Request, resetStackUsage, s3RequestClass, stackUsage } from '../../local/stack-usage.ts';

describe('Function: s3RequestClass', () => {
  it('names the pricing class of each request: a GET of a bucket is a LIST', () => {
    expect(s3RequestClass('PUT', '/bucket/uploads/a.jpg')).toBe('PUT');
    expect(s3RequestClass('POST', '/bucket/key?uploads')).toBe('PUT');
    expect(s3RequestClass('GET', '/bucket/images/a')).toBe('GET');
    expect(s3RequestClass('GET', '/bucket?list-type=2&prefix=uploads/')).toBe('LIST');
    expect(s3RequestClass('GET', '/bucket/')).toBe('LIST');
    expect(s3RequestClass('GET', 'https://127.0.0.1:4751/bucket?list-type=2')).toBe('LIST');
    expect(s3RequestClass('GET', '/bucket/folder/')).toBe('GET');
    expect(s3RequestClass('GET', 'https://127.0.0.1:4751/bucket/a.jpg?x-id=GetObject')).toBe('GET');
    expect(s3RequestClass('HEAD', '/bucket/uploads/a.jpg')).toBe('HEAD');
    expect(s3RequestClass('DELETE', '/bucket/uploads/a.jpg')).toBe('DELETE');
  });
});

describe('Function: stackUsage', () => {
  beforeEach(() => resetStackUsage());

  it('adds up requests by class and Lambda runs as memory × duration', () => {
    // Act
    countS3Request('PUT', '/bucket/a');
    countS3Request('GET', '/bucket');
    countLambdaRun(512, 2000);
    countLambdaRun(256, 999.2);

    // Assess
    const usage = stackUsage();
    expect(usage.s3).toMatchObject({ PUT: 1, LIST: 1, GET: 0 });
    expect(usage.lambda.invocations).toBe(2);
    expect(usage.lambda.gbSeconds).toBeCloseTo(1 + 0.25, 6);
  });
});
