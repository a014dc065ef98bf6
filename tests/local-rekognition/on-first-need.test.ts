/** onFirstNeed (local/rekognition/engine/on-first-need.ts): the second nsfwjs model's load on first need. */
import { describe, expect, it } from 'vitest';
import { onFirstNeed } from '../../local/rekognition/engine/on-first-need.ts';

describe('Function: onFirstNeed', () => {
  it('loads nothing until needed, then once for callers at the same moment and after', async () => {
    // Prepare
    let loads = 0;
    const model = onFirstNeed(async () => `model ${++loads}`);
    expect(loads).toBe(0);

    // Act
    const [first, second] = await Promise.all([model(), model()]);
    const later = await model();

    // Assess
    expect([first, second, later]).toEqual(['model 1', 'model 1', 'model 1']);
    expect(loads).toBe(1);
  });

  it('loads again on the next need after a load failed, and keeps the one that worked', async () => {
    // Prepare: the first load fails (a transient failure), the second works
    let loads = 0;
    const model = onFirstNeed(async () => {
      loads += 1;
      if (loads === 1) throw new Error('weights could not be read');
      return `model ${loads}`;
    });

    // Act / Assess
    await expect(model()).rejects.toThrow('weights could not be read');
    await expect(model()).resolves.toBe('model 2');
    await expect(model()).resolves.toBe('model 2');
    expect(loads).toBe(2);
  });
});
