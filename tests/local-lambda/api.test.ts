/**
 * The local Lambda API over HTTP, driven by the AWS SDK's LambdaClient as a
 * user would: SigV4, invocation types, function errors, Lambda's error shapes.
 * The functions behind it are small in-process stand-ins for the runtime
 * (tests/e2e/serial/reconciler.ts invokes the real reconciler on the real stack).
 */
import { InvokeCommand, LambdaClient, ResourceNotFoundException, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialStore } from '../../local/iam/credentials.ts';
import { startLocalLambdaApi, type LocalLambdaApi } from '../../local/lambda/api.ts';
import { FunctionError } from '../../local/lambda/errors.ts';

const region = 'us-east-1';
const keyPair = { accessKeyId: 'LKIATESTLAMBDAAPI000', secretAccessKey: 'test-secret-for-the-local-lambda-api-000' };

type Name = 'echo' | 'fails';
const asyncEvents: { name: Name; event: unknown }[] = [];
const runtime = {
  async invoke(name: Name, event: unknown): Promise<unknown> {
    if (name === 'fails') throw new FunctionError('TypeError', 'time must be an ISO-8601 date-time', ['TypeError: time must be…', '    at handler']);
    return { received: event };
  },
  async invokeAsync(name: Name, event: unknown): Promise<void> {
    asyncEvents.push({ name, event });
  },
};

let api: LocalLambdaApi;
let client: LambdaClient;
const payloadOf = (output: InvokeCommandOutput) => JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8')) as unknown;
const errorOf = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => error as Error & { $metadata: { httpStatusCode?: number }; Type?: string; Message?: string },
  );

beforeAll(async () => {
  api = await startLocalLambdaApi({ port: 0, region, credentials: credentialStore(keyPair), functions: ['echo', 'fails'], runtime });
  client = new LambdaClient({ endpoint: api.endpoint, region, credentials: keyPair, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await api?.close();
});

describe('Endpoint: POST /2015-03-31/functions/{FunctionName}/invocations', () => {
  it('answers a RequestResponse invoke with the function result', async () => {
    // Act
    const output = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ time: '2030-01-01T00:00:00Z' }) }));

    // Assess
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    expect(payloadOf(output)).toEqual({ received: { time: '2030-01-01T00:00:00Z' } });
  });

  it('takes the function ARN as FunctionName', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo', Payload: '7' }));

    expect(payloadOf(output)).toEqual({ received: 7 });
  });

  it('answers a function error as Lambda does: 200, X-Amz-Function-Error Unhandled, {errorType, errorMessage, trace}', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'fails', Payload: '{}' }));

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    expect(payloadOf(output)).toEqual({
      errorType: 'TypeError',
      errorMessage: 'time must be an ISO-8601 date-time',
      trace: ['TypeError: time must be…', '    at handler'],
    });
  });

  it('queues an Event invoke and answers 202 with no payload; DryRun answers 204 and runs nothing', async () => {
    const queued = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: '{"n":1}' }));
    const dryRun = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun', Payload: '{"n":2}' }));

    expect(queued.StatusCode).toBe(202);
    expect(queued.Payload?.length ?? 0).toBe(0);
    expect(dryRun.StatusCode).toBe(204);
    expect(asyncEvents).toEqual([{ name: 'echo', event: { n: 1 } }]);
  });

  it('answers an unknown function with ResourceNotFoundException (404)', async () => {
    const error = await errorOf(client.send(new InvokeCommand({ FunctionName: 'labelcast-dev-Reconciler', Payload: '{}' })));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error?.$metadata.httpStatusCode).toBe(404);
    expect(error?.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:labelcast-dev-Reconciler');
    expect(error?.Type).toBe('User');
  });

  it('answers a payload that is not JSON with InvalidRequestContentException (400)', async () => {
    const error = await errorOf(client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"time":' })));

    expect(error?.name).toBe('InvalidRequestContentException');
    expect(error?.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses an unknown key and a wrong secret with 403, naming the error in x-amzn-ErrorType', async () => {
    const stranger = new LambdaClient({ endpoint: api.endpoint, region, credentials: { ...keyPair, accessKeyId: 'LKIAUNKNOWNKEY000000' }, maxAttempts: 1 });
    const wrongSecret = new LambdaClient({ endpoint: api.endpoint, region, credentials: { ...keyPair, secretAccessKey: 'not-the-secret' }, maxAttempts: 1 });

    const unknownKey = await errorOf(stranger.send(new InvokeCommand({ FunctionName: 'echo' })));
    const badSignature = await errorOf(wrongSecret.send(new InvokeCommand({ FunctionName: 'echo' })));
    const unsigned = await fetch(`${api.endpoint}/2015-03-31/functions/echo/invocations`, { method: 'POST', body: '{}' });
    stranger.destroy();
    wrongSecret.destroy();

    expect(unknownKey?.name).toBe('UnrecognizedClientException');
    expect(unknownKey?.$metadata.httpStatusCode).toBe(403);
    expect(badSignature?.name).toBe('InvalidSignatureException');
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await unsigned.json()).toEqual({ Type: 'User', message: 'Missing Authentication Token' });
  });

  it('answers other routes with 404 UnknownOperationException', async () => {
    const response = await fetch(`${api.endpoint}/2015-03-31/functions/echo`, { method: 'GET' });

    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});
