/**
 * The test harness's shared engine (tests/support/local-rekognition.ts): an image analysed before for the same
 * tasks is answered from that analysis, anything else reaches the engine. On a counting stand-in engine, so no
 * model loads here.
 */
import { describe, expect, it } from 'vitest';
import type { VisionEngine } from '../../local/rekognition/engine/engine.ts';
import type { AnalysisTasks, ImageAnalysis } from '../../local/rekognition/engine/messages.ts';
import { analysingEachImageOnce } from '../support/local-rekognition.ts';

const labelTasks: AnalysisTasks = { objects: true, moderation: false, faces: true };

/** An engine that answers each call with a fresh analysis naming the call's number, or fails the calls `failing` names. */
function countingEngine(failing: ReadonlySet<number> = new Set()) {
  const calls: { bytes: number[]; tasks: AnalysisTasks }[] = [];
  const engine: VisionEngine = {
    ready: Promise.resolve({ loadMs: 0, models: [] }),
    close: async () => undefined,
    async analyze(bytes, tasks) {
      calls.push({ bytes: [...bytes], tasks });
      if (failing.has(calls.length)) throw new Error(`call ${calls.length} failed`);
      const analysis: ImageAnalysis = { width: 100, height: 100, format: 'png', objects: [], inferenceMs: calls.length };
      return analysis;
    },
  };
  return { engine, calls };
}

describe('Function: analysingEachImageOnce', () => {
  it('runs the engine once for the same bytes and tasks, and gives each caller a copy of its own', async () => {
    // Prepare
    const { engine, calls } = countingEngine();
    const shared = analysingEachImageOnce(engine);

    // Act
    const [first, second] = await Promise.all([shared.analyze(new Uint8Array([1, 2, 3]), labelTasks), shared.analyze(new Uint8Array([1, 2, 3]), { ...labelTasks })]);
    const later = await shared.analyze(new Uint8Array([1, 2, 3]), labelTasks);

    // Assess
    expect(calls).toHaveLength(1);
    expect(second).toEqual(first);
    expect(later).toEqual(first);
    expect(second).not.toBe(first);
    expect(later.objects).not.toBe(first.objects);
  });

  it('runs the engine again for other bytes or other tasks', async () => {
    const { engine, calls } = countingEngine();
    const shared = analysingEachImageOnce(engine);

    await shared.analyze(new Uint8Array([1, 2, 3]), labelTasks);
    await shared.analyze(new Uint8Array([1, 2, 4]), labelTasks);
    await shared.analyze(new Uint8Array([1, 2, 3]), { ...labelTasks, faces: false });
    await shared.analyze(new Uint8Array([1, 2, 3]), { objects: false, moderation: true });

    expect(calls.map((call) => [call.bytes.at(-1), call.tasks])).toEqual([
      [3, labelTasks],
      [4, labelTasks],
      [3, { ...labelTasks, faces: false }],
      [3, { objects: false, moderation: true }],
    ]);
  });

  it('keeps no failure: the same image is asked of the engine again', async () => {
    const { engine, calls } = countingEngine(new Set([1]));
    const shared = analysingEachImageOnce(engine);

    const failed = await shared.analyze(new Uint8Array([9]), labelTasks).then(() => undefined, (error: unknown) => error);
    const retried = await shared.analyze(new Uint8Array([9]), labelTasks);

    expect(failed).toEqual(new Error('call 1 failed'));
    expect(retried.inferenceMs).toBe(2);
    expect(calls).toHaveLength(2);
  });
});
