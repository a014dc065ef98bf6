/**
 * LABELCAST_VISION_ENGINE_SOCKET (a test hook, local/config.ts): which vision engine host a stack's local Rekognition
 * uses, and what its engine says when no host answers there. That the e2e stacks label through the run's host is
 * what every e2e file that waits for labels checks (tests/support/local-stack-setup.ts).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../local/config.ts';
import { visionEngineAtHost } from '../../local/rekognition/engine-connection.ts';

describe('LABELCAST_VISION_ENGINE_SOCKET', () => {
  it('names a socket in the abstract namespace with a leading @, as an environment variable cannot hold its NUL byte', () => {
    // Act
    const config = configFromEnv({ LABELCAST_VISION_ENGINE_SOCKET: '@labelcast-vision-engine-abc' });

    // Assess
    expect(config.visionEngineSocket).toBe('\0labelcast-vision-engine-abc');
  });

  it('leaves the stack an engine of its own when unset or empty', () => {
    expect(configFromEnv({}).visionEngineSocket).toBeUndefined();
    expect(configFromEnv({ LABELCAST_VISION_ENGINE_SOCKET: '' }).visionEngineSocket).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('gives an engine whose ready rejects naming the socket and the setting when no host answers', async () => {
    // Prepare
    const name = `labelcast-test-no-host-${randomUUID()}`;

    // Act
    const engine = visionEngineAtHost(`\0${name}`);

    // Assess
    await expect(engine.ready).rejects.toThrow(`no vision engine host answers at @${name} (LABELCAST_VISION_ENGINE_SOCKET)`);
    await expect(engine.analyze(new Uint8Array([1, 2, 3]), { objects: true, faces: false, moderation: false })).rejects.toThrow(name);
    await engine.close();
  });
});
