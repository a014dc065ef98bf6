/**
 * One vision engine for every test process of a run (vitest's workers), in a host process of its own
 * (./vision-engine-host.js), reached over a local socket. The engine's models load once a run instead of once
 * a vitest worker (about 2 s of CPU, and 0.6 more for the face models), and the worker's analysis cache answers a
 * picture one file analysed when another asks for it again with the same tasks, whichever vitest worker runs
 * that file (the files call the same fixtures for different assertions: the cat, the astronaut, the coffee, the
 * three men of the evaluation set). Each engine counts the cache's answers to its own requests (analysisCacheCounts).
 *
 * The first test process that asks starts the host; the others connect to it. The socket's name says which checkout,
 * worker start and settings it serves, so a run after a change to the engine's sources gets an engine of its own.
 * It is a Linux abstract socket (no file to leave behind, gone with the host): elsewhere each test process starts an
 * engine of its own, as before.
 *
 * Measuring: the host outlives the test processes by moments (it exits a second after the last of them has gone) and
 * is no test process's child once started, so `/usr/bin/time npm test` does not count its CPU time. To count it, name a
 * file in LABELCAST_TEST_CPU_LOG (off by default): each host appends its CPU seconds (its worker's included) to it as
 * it exits, and the run's total is `/usr/bin/time`'s plus that file's sum, read once the host has gone:
 *
 *     rm -f /tmp/host-cpu.log; LABELCAST_TEST_CPU_LOG=/tmp/host-cpu.log /usr/bin/time -v npm test
 *     sleep 3; awk '{ s += $1 } END { print s " CPU-s in vision engine hosts" }' /tmp/host-cpu.log
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { engineWorkerSettings, startVisionEngine, visionEngineOver, type EngineChannel, type LocalVisionEngine } from '../../local/rekognition/engine/engine.ts';
import type { FromWorker, ToWorker } from '../../local/rekognition/engine/messages.ts';
import { engineWorkerStart, type WorkerStart } from '../../local/rekognition/engine/worker-start.ts';
import { frame, frameReader } from './vision-engine-frames.js';

const hostScript = fileURLToPath(new URL('./vision-engine-host.js', import.meta.url));
/** How long a test process waits for the host it started (or another test process started) to listen. */
const connectTimeoutMs = 30_000;

/** An engine that says whether it has ended, so that whoever keeps it can make another one then. */
export interface SharedVisionEngine extends LocalVisionEngine {
  /**
   * True once the engine answers no more: its connection to the host (or its worker) failed or ended, its models did
   * not load, or it was closed. Every later request of it would be refused.
   */
  readonly ended: boolean;
}

/** The run's shared vision engine; on other systems than Linux, an engine of this process's own. */
export function sharedVisionEngine(): SharedVisionEngine {
  if (process.platform !== 'linux') return endTracked(startVisionEngine());
  const channel = connectToHost();
  return endTracked(visionEngineOver(channel), channel);
}

/**
 * `engine`, with `ended` kept from its `ready` and, when given, its channel's 'error' and 'exit'. The channel's
 * listeners are added after the engine's own (visionEngineOver's, on the same promise): its `on` hands what came before
 * any listener to the first one only.
 */
export function endTracked(engine: LocalVisionEngine, channel?: Promise<EngineChannel>): SharedVisionEngine {
  let ended = false;
  const end = () => {
    ended = true;
  };
  engine.ready.catch(end);
  channel?.then((started) => {
    started.on('error', end);
    started.on('exit', end);
  }, end);
  return {
    ready: engine.ready,
    analyze: (bytes, tasks) => engine.analyze(bytes, tasks),
    analysisCacheCounts: () => engine.analysisCacheCounts(),
    close: () => {
      end();
      return engine.close();
    },
    get ended() {
      return ended;
    },
  };
}

/** A host's request from the worker's start and settings, with the socket named after them. */
function hostConfig(start: WorkerStart) {
  const settings = engineWorkerSettings();
  const served = JSON.stringify({ checkout: hostScript, start, settings, uid: process.getuid?.() });
  return { socket: `\0labelcast-vision-engine-${createHash('sha256').update(served).digest('hex').slice(0, 32)}`, start, settings };
}

async function connectToHost(): Promise<EngineChannel> {
  const config = hostConfig(await engineWorkerStart());
  const deadline = Date.now() + connectTimeoutMs;
  let host: ReturnType<typeof startHost> | undefined;
  for (;;) {
    try {
      return await connect(config.socket);
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`the shared vision engine did not start within ${connectTimeoutMs} ms${host?.stderr.length ? `: ${host.stderr.join('')}` : ''}`, { cause: error });
      }
      if (host?.exitCode) throw new Error(`the shared vision engine host failed: ${host.stderr.join('')}`);
      // None listens, or the one that did was ending: start one, unless the one started last still starts. A host
      // that finds another one listening exits (0), and the next attempt connects to that one.
      if (!host || host.exitCode === 0) host = startHost(config);
      await delay(50);
    }
  }
}

function startHost(config: ReturnType<typeof hostConfig>) {
  const child = spawn(process.execPath, [hostScript, JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const host = { stderr: [] as string[], exitCode: null as number | null };
  child.stderr.setEncoding('utf8').on('data', (text: string) => host.stderr.push(text));
  child.on('exit', (code) => (host.exitCode = code ?? 1));
  // The host lives as long as its clients, not as this process's child: nothing here waits for it.
  child.unref();
  (child.stderr as unknown as net.Socket).unref();
  return host;
}

type FromHost = FromWorker | { readonly type: 'hello' } | { readonly type: 'worker-error'; readonly message: string };

/**
 * The host's connection as the engine's worker (its messages, the worker's failure as 'error', the connection's end as
 * 'exit'), once the host has greeted it: a host that was ending closes the connection first, and this rejects.
 */
function connect(socket: string): Promise<EngineChannel> {
  return new Promise((resolve, reject) => {
    const connection = net.connect(socket);
    const events = new EventEmitter();
    // What comes before the engine listens (it does right after this resolves; the worker's 'ready' may come with the
    // greeting) waits for its listener.
    const waiting = new Map<string, unknown[][]>();
    const emit = (event: string, ...args: unknown[]) => {
      if (events.listenerCount(event) > 0) events.emit(event, ...args);
      else waiting.set(event, [...(waiting.get(event) ?? []), args]);
    };
    let greeted = false;
    let terminated = false;
    const channel: EngineChannel = {
      postMessage(message: ToWorker) {
        connection.write(frame(message));
      },
      on(event: string, listener: (...args: never[]) => void) {
        events.on(event, listener as (...args: unknown[]) => void);
        for (const args of waiting.get(event) ?? []) events.emit(event, ...args);
        waiting.delete(event);
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
        resolve(channel);
      } else if (received.type === 'worker-error') emit('error', new Error(received.message));
      else emit('message', received);
    });
    connection.on('data', (chunk: Buffer) => {
      try {
        read(chunk);
      } catch (error) {
        // Not frames of a host of ours (a length over the cap): the connection ends as if the host had gone.
        connection.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    });
    connection.on('error', (error) => (greeted ? emit('error', error) : reject(error)));
    connection.on('close', () => (greeted ? emit('exit', terminated ? 0 : 1) : reject(new Error('the vision engine host ended the connection unanswered'))));
  });
}
