/** The Lambda Invoke request as the local Lambda API reads it: route, FunctionName forms, invocation type, payload. */
import { describe, expect, it } from 'vitest';
import {
  functionArn,
  invocationTypeOf,
  parseInvokePath,
  parsePayload,
  resolveFunction,
} from '../../local/lambda/invoke-request.ts';
import { LambdaApiError } from '../../local/lambda/errors.ts';

const functions = ['reconciler', 'labeler'] as const;
const region = 'us-east-1';

/** The LambdaApiError a call throws, or undefined. */
function refusal(work: () => unknown): LambdaApiError | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof LambdaApiError) return error;
    throw error;
  }
}

describe('Function: parseInvokePath', () => {
  it.each([
    ['/2015-03-31/functions/reconciler/invocations', 'reconciler', undefined, undefined, '$LATEST'],
    ['/2015-03-31/functions/reconciler%3A%24LATEST/invocations', 'reconciler', undefined, undefined, '$LATEST'],
    ['/2015-03-31/functions/reconciler/invocations?Qualifier=live', 'reconciler', undefined, undefined, 'live'],
    ['/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Areconciler/invocations', 'reconciler', 'us-east-1', '000000000000', '$LATEST'],
    ['/2015-03-31/functions/000000000000%3Afunction%3Alabeler%3A7/invocations', 'labeler', undefined, '000000000000', '7'],
  ])('reads %s', (url, functionName, arnRegion, accountId, qualifier) => {
    // Act
    const target = parseInvokePath(url);

    // Assess
    expect(target).toEqual({ functionName, region: arnRegion, accountId, qualifier });
  });

  it('is not the Invoke route for other paths', () => {
    expect(parseInvokePath('/2015-03-31/functions/reconciler')).toBeUndefined();
    expect(parseInvokePath('/2014-11-13/functions/reconciler/invoke-async')).toBeUndefined();
  });

  it('refuses a FunctionName outside the pattern, and qualifiers that disagree, with ValidationException', () => {
    const badName = refusal(() => parseInvokePath('/2015-03-31/functions/not%20a%20name/invocations'));
    const disagree = refusal(() => parseInvokePath('/2015-03-31/functions/reconciler%3A1/invocations?Qualifier=2'));

    expect(badName?.code).toBe('ValidationException');
    expect(badName?.statusCode).toBe(400);
    expect(badName?.message).toMatch(/^1 validation error detected: Value 'not a name' at 'functionName' failed to satisfy constraint/);
    expect(disagree?.code).toBe('ValidationException');
  });
});

describe('Function: resolveFunction', () => {
  it('finds a function by name or by an ARN of this region and account', () => {
    expect(resolveFunction({ functionName: 'reconciler', qualifier: '$LATEST' }, functions, region)).toBe('reconciler');
    expect(resolveFunction({ functionName: 'labeler', region, accountId: '000000000000', qualifier: '$LATEST' }, functions, region)).toBe('labeler');
  });

  it.each([
    [{ functionName: 'nope', qualifier: '$LATEST' }, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope'],
    [{ functionName: 'reconciler', qualifier: 'live' }, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:reconciler:live'],
    [{ functionName: 'reconciler', region: 'eu-west-1', qualifier: '$LATEST' }, 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:reconciler'],
    [{ functionName: 'reconciler', accountId: '123456789012', qualifier: '$LATEST' }, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:reconciler'],
  ])('answers ResourceNotFoundException (404) for %j', (target, message) => {
    const error = refusal(() => resolveFunction(target, functions, region));

    expect(error?.code).toBe('ResourceNotFoundException');
    expect(error?.statusCode).toBe(404);
    expect(error?.body()).toEqual({ Type: 'User', Message: message });
  });

  it('names ARNs as Lambda does', () => {
    expect(functionArn({ functionName: 'reconciler', qualifier: '$LATEST' }, region)).toBe('arn:aws:lambda:us-east-1:000000000000:function:reconciler');
  });
});

describe('Function: invocationTypeOf', () => {
  it('defaults to RequestResponse and reads Event and DryRun', () => {
    expect(invocationTypeOf({})).toBe('RequestResponse');
    expect(invocationTypeOf({ 'x-amz-invocation-type': 'Event' })).toBe('Event');
    expect(invocationTypeOf({ 'x-amz-invocation-type': 'DryRun' })).toBe('DryRun');
  });

  it('refuses another type with ValidationException', () => {
    const error = refusal(() => invocationTypeOf({ 'x-amz-invocation-type': 'Later' }));

    expect(error?.code).toBe('ValidationException');
    expect(error?.body()).toEqual({
      Type: 'User',
      message: "1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
    });
  });
});

describe('Function: parsePayload', () => {
  it('reads any JSON value, and an empty body as {}', () => {
    expect(parsePayload(Buffer.from('{"time":"2030-01-01T00:00:00Z"}'), 'RequestResponse')).toEqual({ time: '2030-01-01T00:00:00Z' });
    expect(parsePayload(Buffer.from('[1,2]'), 'Event')).toEqual([1, 2]);
    expect(parsePayload(Buffer.alloc(0), 'RequestResponse')).toEqual({});
  });

  it('refuses a body that is not JSON with InvalidRequestContentException (400)', () => {
    const error = refusal(() => parsePayload(Buffer.from('{"time":'), 'RequestResponse'));

    expect(error?.code).toBe('InvalidRequestContentException');
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
  });

  it('refuses a payload over the limit of its invocation type with RequestTooLargeException (413)', () => {
    const oneMegabyteAndABit = Buffer.from(JSON.stringify('x'.repeat(1024 * 1024)));

    const asEvent = refusal(() => parsePayload(oneMegabyteAndABit, 'Event'));
    const asRequest = refusal(() => parsePayload(oneMegabyteAndABit, 'RequestResponse'));

    expect(asEvent?.code).toBe('RequestTooLargeException');
    expect(asEvent?.statusCode).toBe(413);
    expect(asRequest).toBeUndefined();
  });
});
