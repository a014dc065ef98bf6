/** The reconciler's options from its event: a scheduled event's `time` is the run's "now". */
import { describe, expect, it } from 'vitest';
import { reconcileOptionsOf } from '../../functions/reconciler/reconcile-event.ts';
import { scheduledEvent } from '../../local/lambda/scheduled-event.ts';

describe('Function: reconcileOptionsOf', () => {
  it("takes an EventBridge scheduled event's time as now", () => {
    // Prepare
    const event = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2015-10-08T16:53:06Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
      detail: {},
    };

    // Act
    const options = reconcileOptionsOf(event);

    // Assess
    expect(options).toEqual({ now: new Date('2015-10-08T16:53:06Z') });
  });

  it('reads the offline scheduled event, offsets and redriveAfterSeconds; no time leaves the clock', () => {
    const offline = scheduledEvent({ time: new Date('2030-01-02T03:04:05.678Z'), region: 'us-east-1', ruleName: 'schedule' });

    expect(offline.time).toBe('2030-01-02T03:04:05Z');
    expect(reconcileOptionsOf(offline).now?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(reconcileOptionsOf({ time: '2030-01-02T05:04:05.5+02:00' }).now?.toISOString()).toBe('2030-01-02T03:04:05.500Z');
    expect(reconcileOptionsOf({ redriveAfterSeconds: 0 })).toEqual({ redriveAfterSeconds: 0 });
    expect(reconcileOptionsOf({})).toEqual({});
    expect(reconcileOptionsOf(null)).toEqual({});
  });

  it.each([['yesterday'], ['2030-01-02'], ['2030-01-02T03:04:05'], ['2030-13-02T03:04:05Z'], [1735689600]])('refuses time %j with a TypeError', (time) => {
    expect(() => reconcileOptionsOf({ time })).toThrow(TypeError);
    expect(() => reconcileOptionsOf({ time })).toThrow(/^time must be an ISO-8601 date-time/);
  });

  it('refuses a negative or non-numeric redriveAfterSeconds', () => {
    expect(() => reconcileOptionsOf({ redriveAfterSeconds: -1 })).toThrow(/^redriveAfterSeconds must be/);
    expect(() => reconcileOptionsOf({ redriveAfterSeconds: '0' })).toThrow(/^redriveAfterSeconds must be/);
  });
});
