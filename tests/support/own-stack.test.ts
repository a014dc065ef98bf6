/**
 * The settings a stack of an e2e file's own starts with (./own-stack.ts), as the stack reads them over the environment
 * its spawn inherits (local/child-process-stack.ts copies this process's environment first).
 */
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../local/config.ts';
import { ownStackEnv } from './own-stack.ts';

/** The stack's config from an inherited environment and the settings given to its spawn, merged as the spawn does. */
const stackConfig = (inherited: Record<string, string>, settings: Record<string, string>) => configFromEnv({ ...inherited, ...settings });

describe('Function: ownStackEnv', () => {
  it('gives a stack with ownEngine an engine of its own even when this process inherited the shared one', () => {
    // Prepare
    const inherited = { LABELCAST_VISION_ENGINE_SOCKET: '@labelcast-vision-engine-inherited' };

    // Act
    const config = stackConfig(inherited, ownStackEnv({ LABELCAST_REKOGNITION_TPS: '5' }, { ownEngine: true }));

    // Assess
    expect(config.visionEngineSocket).toBeUndefined();
    expect(config.rekognitionTps).toBe(5);
  });

  it("passes the file's settings through, without the shared engine where the run has none", () => {
    // Act
    const settings = ownStackEnv({ LABELCAST_REKOGNITION_TPS: '5' });

    // Assess: no e2e setup here, so no shared engine to name
    expect(settings).toEqual({ LABELCAST_REKOGNITION_TPS: '5' });
  });
});
