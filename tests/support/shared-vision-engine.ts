/**
 * One vision engine a run, for every test process (vitest's workers) and every e2e stack (holdSharedVisionEngine,
 * LABELCAST_VISION_ENGINE_SOCKET: tests/support/local-stack-setup.ts), in a host process of its own
 * (./vision-engine-host.js), reached over a local socket: one for the test processes, another for the stacks, whose
 * requests the host hands its one worker first (an e2e labelling waits for at most the analysis under way, not behind
 * the unit files' queue). The engine's models load once a run instead of once a vitest worker or stack (about 3 s of
 * CPU, and 0.6 more for the face models), and the worker's analysis cache answers a picture one file or stack
 * analysed when another asks for it again with the same tasks, whichever vitest worker runs that file (the files
 * call the same fixtures for different assertions: the cat, the astronaut, the coffee, the three men of the
 * evaluation set; the e2e stacks label the cat, the astronaut, the coffee and the rocket too). Each engine counts the
 * cache's answers to its own requests (analysisCacheCounts).
 *
 * The first test process (or e2e setup) that asks starts the host; the others connect to it. The sockets' names say
 * which checkout, worker start and settings they serve, so a run after a change to the engine's sources gets an
 * engine of its own. They are Linux abstract sockets (no file to leave behind, gone with the host): elsewhere each
 * test process and stack starts an engine of its own, as before.
 *
 * One worker serves them all, so its failure is everyone's: should a unit test's request crash it, the host exits, and
 * the e2e stacks, which connect once, never reconnect (their analyses fail from then on; holdSharedVisionEngine says
 * so on stderr), while a test process's next engine starts a new host.
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
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { engineWorkerSettings, startVisionEngine, visionEngineOver, type EngineChannel, type LocalVisionEngine } from '../../local/rekognition/engine/engine.ts';
import { engineWorkerStart, type WorkerStart } from '../../local/rekognition/engine/worker-start.ts';
import { connectEngineHost, defaultHelloTimeoutMs } from '../../local/rekognition/engine-connection.ts';

const hostScript = fileURLToPath(new URL('./vision-engine-host.js', import.meta.url));
/** How long a test process waits for the host it started (or another test process started) to listen. */
const connectTimeoutMs = 30_000;
/** How soon a test process starts another host after the one it started exited 0 (another one listened already). */
const respawnMs = 1_000;

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

/**
 * A host's request from the worker's start and settings, with its sockets named after them: `socket` for the test
 * processes, `stacksSocket` for the e2e stacks, whose requests the host serves first.
 */
export function hostConfig(ownStart: WorkerStart) {
  // The worker runs as a stack's own does (`node local/start.js`, no node flags), whichever process starts the host:
  // a test process's flags (vitest's --conditions development) would otherwise name another host than the e2e setup's.
  // So none of the starting process's flags reach the shared engine's worker (--cpu-prof, memory limits included),
  // unlike a worker of a process's own (withoutModuleHooks, worker-start.ts).
  const start: WorkerStart = ownStart.from === 'bundle' ? { ...ownStart, options: { ...ownStart.options, execArgv: [] } } : ownStart;
  const settings = engineWorkerSettings();
  const served = JSON.stringify({ checkout: hostScript, start, settings, uid: process.getuid?.(), sockets: ['test processes', 'e2e stacks first'] });
  const socket = `\0labelcast-vision-engine-${createHash('sha256').update(served).digest('hex').slice(0, 32)}`;
  return { socket, stacksSocket: `${socket}-stacks`, start, settings };
}

/**
 * For stacks in processes of their own (the e2e stacks: tests/support/local-stack-setup.ts): the run's host, started
 * when none listens, and the socket a stack connects to (LABELCAST_VISION_ENGINE_SOCKET, local/config.ts), by which
 * the host serves a stack's requests before the test processes' (whose engine-heavy unit files would otherwise make
 * every e2e labelling wait). A connection of this process's is held until `release`, so that the host serves for as
 * long as the stacks may start, not only while one is connected. Undefined on other systems than Linux, where each
 * stack loads an engine of its own.
 */
export async function holdSharedVisionEngine(): Promise<{ readonly socket: string; release(): Promise<void> } | undefined> {
  if (process.platform !== 'linux') return undefined;
  const config = hostConfig(await engineWorkerStart());
  const held = await connectTo(config, config.stacksSocket);
  // The host ended before the stacks did (its worker failed): the stacks' engines fail on, which the e2e failures
  // that follow would otherwise leave unexplained. A release ends the connection with 0.
  held.on('exit', (code) => {
    if (code !== 0) process.stderr.write('the shared vision engine host ended before the e2e stacks stopped (its worker failed, or it was killed): the stacks do not reconnect, their image analyses fail from now on\n');
  });
  return {
    socket: config.stacksSocket,
    release: async () => {
      await held.terminate();
    },
  };
}

async function connectToHost(): Promise<EngineChannel> {
  const config = hostConfig(await engineWorkerStart());
  return connectTo(config, config.socket);
}

/** A connection to the host of `config` by `socket` (one of its two), starting the host when none listens there. */
async function connectTo(config: ReturnType<typeof hostConfig>, socket: string): Promise<EngineChannel> {
  const deadline = Date.now() + connectTimeoutMs;
  let host: ReturnType<typeof startHost> | undefined;
  for (;;) {
    try {
      // Each attempt ends by the deadline too: a socket that accepts and never greets would otherwise hold it for ever.
      return await connectEngineHost(socket, { helloTimeoutMs: Math.max(1, Math.min(defaultHelloTimeoutMs, deadline - Date.now())) });
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`the shared vision engine did not start within ${connectTimeoutMs} ms${host?.stderr.length ? `: ${host.stderr.join('')}` : ''}`, { cause: error });
      }
      if (host?.exitCode) throw new Error(`the shared vision engine host failed: ${host.stderr.join('')}`);
      // None listens, or the one that did was ending: start one, unless the one started last still starts. A host
      // that finds another one listening exits (0), and the next attempt connects to that one (which listens on its
      // stacks' socket a moment after the test processes').
      // Such a host may find the holder of the test processes' socket not yet listening on the stacks' (or the other
      // way): it is started again at most once a `respawnMs`, not at every attempt.
      if (!host || (host.exitCode === 0 && Date.now() - host.startedAt >= respawnMs)) host = startHost(config);
      await delay(50);
    }
  }
}

function startHost(config: ReturnType<typeof hostConfig>) {
  const child = spawn(process.execPath, [hostScript, JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const host = { stderr: [] as string[], exitCode: null as number | null, startedAt: Date.now() };
  child.stderr.setEncoding('utf8').on('data', (text: string) => host.stderr.push(text));
  child.on('exit', (code) => (host.exitCode = code ?? 1));
  // The host lives as long as its clients, not as this process's child: nothing here waits for it.
  child.unref();
  (child.stderr as unknown as net.Socket).unref();
  return host;
}
