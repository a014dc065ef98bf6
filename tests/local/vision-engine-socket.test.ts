/**
 * LABELCAST_VISION_ENGINE_SOCKET (a test hook, local/config.ts): which vision engine host a stack's local Rekognition
 * uses, and what its engine says when no host answers there, or when what answers is no host. That the e2e stacks
 * label through the run's host, tests/e2e/pipeline.test.ts checks (the stack reports the host's one model load).
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../local/config.ts';
import { connectEngineHost, maxWaitingFrames, visionEngineAtHost } from '../../local/rekognition/engine-connection.ts';
import { frame } from '../../local/rekognition/engine-frames.js';
import { settingFromSocket, socketFromSetting } from '../../local/rekognition/engine-socket-name.ts';
import { VisionEngineHostError } from '../../local/rekognition/errors.ts';

const servers: net.Server[] = [];
const accepted: net.Socket[] = [];
afterEach(async () => {
  // A connection the client left open would hold server.close() for ever.
  for (const connection of accepted.splice(0)) connection.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/**
 * A socket that is no vision engine host: it accepts, writes `greeting` (if any) and then nothing more. Resolves to
 * its name and a promise of its first connection's end.
 */
async function silentSocket(greeting?: Buffer): Promise<{ socket: string; firstConnectionClosed: Promise<void> }> {
  const socket = `\0labelcast-test-silent-${randomUUID()}`;
  let closed!: () => void;
  const firstConnectionClosed = new Promise<void>((resolve) => (closed = resolve));
  const server = net.createServer((connection) => {
    accepted.push(connection);
    connection.on('error', () => undefined);
    connection.on('close', () => closed());
    if (greeting) connection.write(greeting);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, firstConnectionClosed };
}

describe('LABELCAST_VISION_ENGINE_SOCKET', () => {
  it('names a socket in the abstract namespace with a leading @, as an environment variable cannot hold its NUL byte', () => {
    // Act
    const config = configFromEnv({ LABELCAST_VISION_ENGINE_SOCKET: '@labelcast-vision-engine-abc' });

    // Assess
    expect(config.visionEngineSocket).toBe('\0labelcast-vision-engine-abc');
  });

  it("writes and reads an abstract socket's NUL byte as '@', and leaves a path as it is", () => {
    expect(settingFromSocket('\0labelcast-x')).toBe('@labelcast-x');
    expect(socketFromSetting('@labelcast-x')).toBe('\0labelcast-x');
    expect(socketFromSetting(settingFromSocket('/tmp/host.sock'))).toBe('/tmp/host.sock');
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

  it.runIf(process.platform === 'linux')('gives up on a socket that accepts but never says hello, naming the setting, and drops the connection', async () => {
    // Prepare
    const { socket, firstConnectionClosed } = await silentSocket();

    // Act
    const engine = visionEngineAtHost(socket, { helloTimeoutMs: 200 });

    // Assess
    const error: unknown = await engine.ready.catch((rejected: unknown) => rejected);
    expect(error).toBeInstanceOf(VisionEngineHostError);
    expect((error as Error).message).toContain(`${settingFromSocket(socket)} (LABELCAST_VISION_ENGINE_SOCKET) sent no hello within 200 ms`);
    await firstConnectionClosed;
    await engine.close();
  });

  it.runIf(process.platform === 'linux')('ends a connection that sends more frames than a host does before anyone listens', async () => {
    // Prepare: frames a host never sends unasked, and no hello (which would have the engine listen)
    const unasked = Buffer.concat(Array.from({ length: maxWaitingFrames + 1 }, () => frame({ type: 'failed', message: 'x' })));
    const { socket, firstConnectionClosed } = await silentSocket(unasked);

    // Act
    const connected = connectEngineHost(socket);

    // Assess: refused for what it sent, long before the hello's 10 s
    await expect(connected).rejects.toThrow(`sent more than ${maxWaitingFrames} frames unasked`);
    await firstConnectionClosed;
  });
});
