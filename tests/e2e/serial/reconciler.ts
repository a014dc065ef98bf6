/**
 * The reconciler, invoked the way a user invokes it on AWS: LambdaClient's
 * InvokeCommand against the local Lambda API, with the scheduled event
 * EventBridge would send. Its `time` is the run's "now", so a run "20
 * minutes from now" shows what the schedule does to a ticket that was never
 * used, without waiting for it.
 */
import { InvokeCommand, LambdaClient, ResourceNotFoundException, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, inject, it, beforeAll } from 'vitest';
import { expiredTicketReason, type ReconcileSummary } from '../../../functions/reconciler/reconcile.ts';
import { stackCredentials } from '../../../local/child-process-stack.ts';
import { scheduledEvent } from '../../../local/lambda/scheduled-event.ts';
import { amplifyOutputs, labelcastClient, configureStackAmplify } from '../../support/amplify-client.ts';

const minutes = (count: number) => count * 60_000;

describe('Reconciler: invoked through the Lambda API with a scheduled event', () => {
  beforeAll(() => configureStackAmplify());
  const client = labelcastClient();
  const lambda = new LambdaClient({
    endpoint: inject('lambdaEndpoint'),
    region: amplifyOutputs().data.aws_region,
    credentials: stackCredentials(inject('stateDir')),
  });
  const region = amplifyOutputs().data.aws_region;
  const payloadOf = (output: InvokeCommandOutput) => JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8')) as unknown;
  const runScheduleAt = async (time: Date): Promise<ReconcileSummary> => {
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'reconciler', Payload: JSON.stringify(scheduledEvent({ time, region, ruleName: 'reconciler-schedule' })) }),
    );
    if (output.FunctionError) throw new Error(`reconciler failed: ${JSON.stringify(payloadOf(output))}`);
    return payloadOf(output) as ReconcileSummary;
  };

  afterAll(() => lambda.destroy());

  it('leaves a fresh unused ticket PENDING, and fails it once its upload URL has long expired, pushing it once', async () => {
    // Prepare: a ticket whose upload never happens (other files' PENDING images may share the stack; only ours is asserted on)
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 1234, fileName: 'never-uploaded.jpg' });
    const recorder = client.recordEvents(ticket.imageId);
    await recorder.ready;

    // Act
    const now = await runScheduleAt(new Date());
    const stillPending = await client.image(ticket.imageId);
    const later = await runScheduleAt(new Date(Date.now() + minutes(20)));
    const pushed = await recorder.first;
    const stored = await client.image(ticket.imageId);
    recorder.stop();

    // Assess
    expect(stillPending?.status).toBe('PENDING');
    expect(now).toEqual({
      pending: expect.any(Number),
      redriven: expect.any(Number),
      expired: expect.any(Number),
      waiting: expect.any(Number),
      queued: expect.any(Number),
      deferred: 0,
      unexamined: 0,
      pushed: expect.any(Number),
      finished: expect.any(Number),
      pushing: expect.any(Number),
      dropped: expect.any(Number),
      errors: 0,
    });
    expect(later.expired).toBeGreaterThanOrEqual(1);
    expect(pushed).toMatchObject({ id: ticket.imageId, status: 'FAILED', error: expiredTicketReason });
    expect(stored).toMatchObject({ status: 'FAILED', error: expiredTicketReason });
    expect(recorder.events).toHaveLength(1);
  });

  it('answers a bad time as a function error, and an unknown function as ResourceNotFoundException', async () => {
    // Act
    const badTime = await lambda.send(new InvokeCommand({ FunctionName: 'reconciler', Payload: JSON.stringify({ time: 'tomorrow' }) }));
    const unknown = await lambda.send(new InvokeCommand({ FunctionName: 'reconcile', Payload: '{}' })).catch((error: unknown) => error);

    // Assess
    expect(badTime.StatusCode).toBe(200);
    expect(badTime.FunctionError).toBe('Unhandled');
    expect(payloadOf(badTime)).toMatchObject({ errorType: 'TypeError', errorMessage: expect.stringMatching(/^time must be an ISO-8601 date-time/) });
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expect((unknown as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
  });
});
