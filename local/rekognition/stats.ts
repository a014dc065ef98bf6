/**
 * Not an AWS API: the local Rekognition counts the calls it serves per
 * operation and how long its engine has been busy, and answers them on
 * `GET /_labelcast/stats` to requests SigV4-signed by the stack's admin key
 * pair (./test-hooks.ts). Tests prove with it what did not call
 * Rekognition (a re-upload of the same bytes); the bench subtracts the
 * engine's own time from end-to-end latency.
 */
import type { VisionEngine } from './engine/engine.ts';

export const statsPath = '/_labelcast/stats';

/**
 * Calls served per operation, e.g. { DetectLabels: 3, DetectModerationLabels: 3 }
 * (calls answered with an injected fault or refused by the TPS quota
 * included), plus `faultsInjected` (faults.ts), `throttledByQuota`
 * (tps-quota.ts), `imagePropertiesRequests` (DetectLabels calls whose Features
 * include IMAGE_PROPERTIES: what the labeler asks for), `engineBusyMs` (wall time with at least one image in the
 * engine) and `engineLoadMs` (model load, once ready). Under a shared engine (LABELCAST_VISION_ENGINE_SOCKET, the test
 * run's host: ./engine-connection.ts) `engineLoadMs` is the host's one load, the same for every stack of the run and
 * not paid by this one, and `engineBusyMs` includes the time this stack's images waited in the host's one worker
 * (behind other stacks' images, and the one analysis under way when they came).
 */
export type RekognitionStats = Record<string, number>;

/** The stats key counting DetectLabels calls that requested IMAGE_PROPERTIES. */
export const imagePropertiesRequestsStat = 'imagePropertiesRequests';

/** Whether a DetectLabels input asks for IMAGE_PROPERTIES (its Features are checked by the operation itself). */
export const requestsImageProperties = (input: Record<string, unknown>): boolean =>
  Array.isArray(input.Features) && input.Features.includes('IMAGE_PROPERTIES');

/** The engine, timed: busy time counts wall time with any analysis in flight, so overlapping calls count once. */
export function timedEngine(engine: VisionEngine): { engine: VisionEngine; busyMs(): number } {
  let inFlight = 0;
  let busySince = 0;
  let busyMs = 0;
  return {
    engine: {
      ready: engine.ready,
      close: () => engine.close(),
      async analyze(bytes, tasks) {
        if (inFlight++ === 0) busySince = performance.now();
        try {
          return await engine.analyze(bytes, tasks);
        } finally {
          if (--inFlight === 0) busyMs += performance.now() - busySince;
        }
      },
    },
    busyMs: () => busyMs + (inFlight > 0 ? performance.now() - busySince : 0),
  };
}
