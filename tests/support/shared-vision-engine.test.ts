/**
 * Whether a shared vision engine (./shared-vision-engine.ts) has ended, which tests/support/local-rekognition.ts reads
 * to connect anew rather than keep an engine whose host has gone. Over a stand-in channel: no host, no models. And the
 * host a process asks for, which must be the same for the test processes and the e2e setup.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { visionEngineOver, type EngineChannel } from '../../local/rekognition/engine/engine.ts';
import { endTracked, hostConfig } from './shared-vision-engine.ts';

/** A channel as the host's connection is, driven by the test. */
function standInChannel() {
  const events = new EventEmitter();
  const channel = {
    postMessage: () => undefined,
    on(event: string, listener: (...args: never[]) => void) {
      events.on(event, listener as (...args: unknown[]) => void);
      return channel;
    },
    terminate: async () => undefined,
  } as EngineChannel;
  return { channel, events };
}

/** An end-tracked engine over a stand-in channel whose worker has said 'ready'. */
async function readyEngine() {
  const { channel, events } = standInChannel();
  const started = Promise.resolve(channel);
  const engine = endTracked(visionEngineOver(started), started);
  await settled();
  events.emit('message', { type: 'ready', info: {} });
  return { engine, events };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('Function: endTracked', () => {
  it('has not ended while its channel is up and its models loaded', async () => {
    // Prepare, Act
    const { engine } = await readyEngine();
    await settled();

    // Assess
    expect(engine.ended).toBe(false);
  });

  it("has ended once its host's connection closes, and its requests are refused", async () => {
    // Prepare
    const { engine, events } = await readyEngine();

    // Act
    events.emit('exit', 1);
    await settled();

    // Assess
    expect(engine.ended).toBe(true);
    await expect(engine.analyze(new Uint8Array(4), { labels: true } as never)).rejects.toThrow(/exited with code 1/);
  });

  it('has ended when its connection failed, or it could not connect', async () => {
    // Prepare
    const { engine: failed, events } = await readyEngine();
    const refused = Promise.reject(new Error('no host'));
    const unconnected = endTracked(visionEngineOver(refused), refused);

    // Act
    events.emit('error', new Error('ECONNRESET'));
    await settled();

    // Assess
    expect(failed.ended).toBe(true);
    expect(unconnected.ended).toBe(true);
  });

  it('has ended once closed', async () => {
    // Prepare
    const { channel } = standInChannel();
    const started = Promise.resolve(channel);
    const engine = endTracked(visionEngineOver(started), started);

    // Act
    await engine.close();

    // Assess
    expect(engine.ended).toBe(true);
  });
});

describe('Function: hostConfig', () => {
  it("names one host for a checkout's test processes and its e2e setup, whose node flags differ, and two sockets for it", () => {
    // Prepare: the worker's start as a vitest worker and as vitest's main process (the e2e setup) compute it
    const bundle = '/checkout/node_modules/.cache/labelcast/vision-engine/build-1/engine-worker.mjs';
    const testProcess = hostConfig({ from: 'bundle', filename: bundle, options: { execArgv: ['--experimental-import-meta-resolve', '--conditions', 'development'] } });
    const e2eSetup = hostConfig({ from: 'bundle', filename: bundle, options: { execArgv: [] } });

    // Assess: one host, whose worker runs without the test process's flags, as a stack's own would
    expect(testProcess).toEqual(e2eSetup);
    expect(testProcess.start.options.execArgv).toEqual([]);
    expect(testProcess.stacksSocket).not.toBe(testProcess.socket);
    expect(hostConfig({ from: 'bundle', filename: bundle.replace('build-1', 'build-2'), options: { execArgv: [] } }).socket).not.toBe(e2eSetup.socket);
  });
});
