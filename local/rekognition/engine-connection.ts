/**
 * A vision engine whose worker runs in another process, a host that several clients share (one engine worker a test
 * run: tests/support/vision-engine-host.js), reached over a local socket with the frames of ./engine-frames.js. The
 * engine over it (visionEngineOver) is the same as over a worker thread of this process's own: the same requests, the
 * same analyses (a pure function of the pixels and the tasks, engine/analysis-cache.ts), only answered by a worker
 * that loaded its models once for every client.
 *
 * The unit tests' processes connect to one (tests/support/shared-vision-engine.ts), and a stack whose
 * LABELCAST_VISION_ENGINE_SOCKET names a host to that one (a test hook, local/config.ts: a run's e2e stacks share the
 * unit tests' engine, by a socket of theirs that the host serves first, rather than load the models each,
 * tests/support/local-stack-setup.ts).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { visionEngineOver, type EngineChannel, type LocalVisionEngine } from './engine/engine.ts';
import type { FromWorker, ToWorker } from './engine/messages.ts';
import { frame, frameReader } from './engine-frames.js';
import { settingFromSocket } from './engine-socket-name.ts';
import { VisionEngineHostError } from './errors.ts';

type FromHost = FromWorker | { readonly type: 'hello' } | { readonly type: 'worker-error'; readonly message: string };

/** What a connection to a host waits for. */
export interface EngineHostConnectOptions {
  /**
   * How long the host has to greet: a socket that accepts but never says 'hello' (a host that hangs, another
   * service's socket) would otherwise hold a stack's start for ever.
   * @default 10_000
   */
  readonly helloTimeoutMs?: number;
}

export const defaultHelloTimeoutMs = 10_000;

/**
 * The most frames kept for an event no one listens to yet. A host sends 'hello' and its worker's 'ready' (or
 * 'failed') before the engine listens, and no answers, as nothing was asked yet: more is not a host of ours, and the
 * connection ends rather than buffer what it sends.
 */
export const maxWaitingFrames = 16;

/**
 * The host's connection as the engine's worker (its messages, the worker's failure as 'error', the connection's end as
 * 'exit'), once the host has greeted it: a host that was ending (or none at `socket`) closes or refuses the
 * connection first, one that does not greet within `helloTimeoutMs` is dropped, and this rejects.
 */
export function connectEngineHost(socket: string, options: EngineHostConnectOptions = {}): Promise<EngineChannel> {
  const helloTimeoutMs = options.helloTimeoutMs ?? defaultHelloTimeoutMs;
  return new Promise((resolve, reject) => {
    const connection = net.connect(socket);
    const events = new EventEmitter();
    // What comes before the engine listens (it does right after this resolves; the worker's 'ready' may come with the
    // greeting) waits for its listener, up to maxWaitingFrames.
    const waiting = new Map<string, unknown[][]>();
    let waitingFrames = 0;
    const emit = (event: string, ...args: unknown[]) => {
      if (events.listenerCount(event) > 0) {
        events.emit(event, ...args);
        return;
      }
      if (++waitingFrames > maxWaitingFrames) {
        connection.destroy(new VisionEngineHostError(`the vision engine host at ${settingFromSocket(socket)} sent more than ${maxWaitingFrames} frames unasked`));
        return;
      }
      waiting.set(event, [...(waiting.get(event) ?? []), args]);
    };
    let greeted = false;
    let terminated = false;
    const helloTimer = setTimeout(() => {
      connection.destroy();
      reject(
        new VisionEngineHostError(
          `the vision engine host at ${settingFromSocket(socket)} (LABELCAST_VISION_ENGINE_SOCKET) sent no hello within ${helloTimeoutMs} ms`,
        ),
      );
    }, helloTimeoutMs);
    const channel: EngineChannel = {
      postMessage(message: ToWorker) {
        connection.write(frame(message));
      },
      on(event: string, listener: (...args: never[]) => void) {
        events.on(event, listener as (...args: unknown[]) => void);
        const waited = waiting.get(event) ?? [];
        waiting.delete(event);
        waitingFrames -= waited.length;
        for (const args of waited) events.emit(event, ...args);
        return channel;
      },
      terminate() {
        terminated = true;
        return new Promise((resolve) => connection.end(() => resolve(undefined)));
      },
    };
    const read = frameReader((message) => {
      const received = message as FromHost;
      if (received.type === 'hello') {
        greeted = true;
        clearTimeout(helloTimer);
        resolve(channel);
      } else if (received.type === 'worker-error') emit('error', new VisionEngineHostError(received.message));
      else emit('message', received);
    });
    connection.on('data', (chunk: Buffer) => {
      try {
        read(chunk);
      } catch (error) {
        // Not frames of a host of ours (a length over the cap): the connection ends as if the host had gone.
        connection.destroy(error instanceof Error ? error : new VisionEngineHostError(String(error)));
      }
    });
    connection.on('error', (error) => (greeted ? emit('error', error) : reject(error)));
    connection.on('close', () => {
      clearTimeout(helloTimer);
      if (greeted) emit('exit', terminated ? 0 : 1);
      else reject(new VisionEngineHostError('the vision engine host ended the connection unanswered'));
    });
  });
}

/**
 * The engine of the host listening at `socket`; its `ready` rejects, naming the socket, when none answers there.
 * close() ends this connection only: the host and its worker serve their other clients on.
 */
export function visionEngineAtHost(socket: string, options: EngineHostConnectOptions = {}): LocalVisionEngine {
  const printable = settingFromSocket(socket);
  return visionEngineOver(
    connectEngineHost(socket, options).catch((error: unknown) => {
      throw new VisionEngineHostError(`no vision engine host answers at ${printable} (LABELCAST_VISION_ENGINE_SOCKET): ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }),
  );
}
