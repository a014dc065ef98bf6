/**
 * The background's share of the account's Lambda concurrency, derived from the
 * declarations (api/labeling-queue.ts, api/scheduled-runs.ts, api/manifest.ts):
 * the labeler's mapping, labeling-failed's, and the reconciler's runs together
 * never hold more than half, so the API functions keep the other half.
 */
import { describe, expect, it } from 'vitest';
import {
  eventSourceMappings,
  labelerMaximumConcurrency,
  LabelingQuotaError,
  minimumLambdaConcurrency,
  otherBackgroundConcurrency,
  sqsBatchingProblem,
  type LabelingQuotas,
} from '../../api/labeling-queue.ts';
import { scheduledRunsAtOnce, scheduledRunsAtOnceOf } from '../../api/scheduled-runs.ts';

/** Every background consumer at once: the mappings' MaximumConcurrency and the overlapping scheduled runs. */
const backgroundAt = (quotas: LabelingQuotas) =>
  eventSourceMappings(quotas).reduce((total, mapping) => total + mapping.maximumConcurrency, 0) + scheduledRunsAtOnce('reconciler');

describe('Function: scheduledRunsAtOnceOf', () => {
  const every5Minutes = { scheduleMinutes: 5, asyncInvoke: { retryAttempts: 0, maxEventAgeSeconds: 60 } };

  it('counts one run when the latest start (60 s firing, 10 s delivery, the event age) plus a cold start\'s init (10 s) and the timeout fits the period', () => {
    expect(scheduledRunsAtOnceOf({ ...every5Minutes, timeoutSeconds: 160 })).toBe(1);
  });

  it('counts the next period\'s run too when a late run can still be running as it starts', () => {
    // 60 + 10 + 60 + 10 + 161 s: a late run with a cold start is still running as the next period's starts.
    expect(scheduledRunsAtOnceOf({ ...every5Minutes, timeoutSeconds: 161 })).toBe(2);
    expect(scheduledRunsAtOnceOf({ ...every5Minutes, timeoutSeconds: 300 })).toBe(2);
    // Lambda's default async event age (6 h): events of 73 periods could wait in its queue and run together.
    expect(scheduledRunsAtOnceOf({ ...every5Minutes, timeoutSeconds: 160, asyncInvoke: { retryAttempts: 2, maxEventAgeSeconds: 21_600 } })).toBe(73);
  });

  it('reads the manifest: the reconciler runs one at a time, a function on no schedule none', () => {
    expect(scheduledRunsAtOnce('reconciler')).toBe(1);
    expect(scheduledRunsAtOnce('labeler')).toBe(0);
    expect(otherBackgroundConcurrency()).toEqual(new Map([['labelingFailed', 2], ['reconciler', 1]]));
  });
});

describe('Function: labelerMaximumConcurrency', () => {
  it('leaves the labeler what half the account holds beside labeling-failed and the reconciler', () => {
    // cdk.json's quotas, a new account: 2 + 2 + 1 = 5 of 10.
    expect(labelerMaximumConcurrency({ rekognitionTps: 5, lambdaConcurrency: 10 })).toBe(2);
    expect(labelerMaximumConcurrency({ rekognitionTps: 50, lambdaConcurrency: 10 })).toBe(2);
    expect(labelerMaximumConcurrency({ rekognitionTps: 50, lambdaConcurrency: 21 })).toBe(7);
    expect(labelerMaximumConcurrency({ rekognitionTps: 50, lambdaConcurrency: 1000 })).toBe(50);
  });

  it('keeps AWS\'s 2–1,000, a TPS quota under 2 included (the labeler waits its throttling out)', () => {
    expect(labelerMaximumConcurrency({ rekognitionTps: 1, lambdaConcurrency: 1000 })).toBe(2);
    expect(labelerMaximumConcurrency({ rekognitionTps: 0.5, lambdaConcurrency: 10 })).toBe(2);
    expect(labelerMaximumConcurrency({ rekognitionTps: 5000, lambdaConcurrency: 10_000 })).toBe(1000);
  });

  it('never lets the background hold more than half the account, under any quotas it accepts', () => {
    for (const lambdaConcurrency of [10, 11, 12, 13, 20, 99, 100, 1000, 3000]) {
      for (const rekognitionTps of [0.5, 1, 2, 5, 7, 50, 1000, 5000]) {
        expect(backgroundAt({ rekognitionTps, lambdaConcurrency }), `${rekognitionTps} TPS, ${lambdaConcurrency}`).toBeLessThanOrEqual(Math.floor(lambdaConcurrency / 2));
      }
    }
  });

  it('refuses an account whose half cannot hold the labeler\'s 2 beside the rest, naming the least quota that can', () => {
    expect(minimumLambdaConcurrency()).toBe(10);
    expect(() => labelerMaximumConcurrency({ rekognitionTps: 5, lambdaConcurrency: 9 })).toThrow(LabelingQuotaError);
    expect(() => labelerMaximumConcurrency({ rekognitionTps: 5, lambdaConcurrency: 9 })).toThrow(
      /^lambdaConcurrency must be at least 10, got 9: .*\(labelingFailed 2, reconciler 1\)/,
    );
    expect(() => labelerMaximumConcurrency({ rekognitionTps: 0, lambdaConcurrency: 10 })).toThrow(/rekognitionTps must be a positive number/);
  });
});

describe('Function: sqsBatchingProblem', () => {
  it('takes a batch of 1 to 10 without a window, and up to 10,000 with one of 1 to 300 s', () => {
    expect(sqsBatchingProblem({ batchSize: 10, maximumBatchingWindowSeconds: 0 })).toBeUndefined();
    expect(sqsBatchingProblem({ batchSize: 11, maximumBatchingWindowSeconds: 1 })).toBeUndefined();
    expect(sqsBatchingProblem({ batchSize: 10_000, maximumBatchingWindowSeconds: 300 })).toBeUndefined();
  });

  it('refuses a batch over 10 without a window in CreateEventSourceMapping\'s words, and sizes or windows out of range', () => {
    expect(sqsBatchingProblem({ batchSize: 11, maximumBatchingWindowSeconds: 0 })).toBe(
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
    expect(sqsBatchingProblem({ batchSize: 0, maximumBatchingWindowSeconds: 0 })).toBe('BatchSize must be 1 to 10000, got 0');
    expect(sqsBatchingProblem({ batchSize: 10_001, maximumBatchingWindowSeconds: 5 })).toBe('BatchSize must be 1 to 10000, got 10001');
    expect(sqsBatchingProblem({ batchSize: 4, maximumBatchingWindowSeconds: 301 })).toBe('MaximumBatchingWindowInSeconds must be 0 to 300, got 301');
  });

  it('passes every declared mapping', () => {
    for (const mapping of eventSourceMappings()) expect(sqsBatchingProblem(mapping)).toBeUndefined();
  });
});
