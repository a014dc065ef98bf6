/**
 * The tests' shared vision engine (./shared-vision-engine.ts): one engine worker thread a run, for every test process
 * and every e2e stack (LABELCAST_VISION_ENGINE_SOCKET, local/rekognition/engine-connection.ts), so the models load once
 * a run and an image one test file or stack analysed is answered from the worker's analysis cache for another,
 * whichever vitest worker or stack asks. argv[2] is `{ socket, stacksSocket, start, settings }` as JSON: the local
 * socket the test processes connect to, the one the e2e stacks connect to (optional), the worker's start
 * (local/rekognition/engine/worker-start.ts) and its settings (engineWorkerSettings in engine.ts). Each client is
 * greeted ('hello'), then sends the worker's requests and gets its answers, framed (local/rekognition/engine-frames.js);
 * each request keeps its client's id, the worker sees ids of the host's own. What a client sends that is not such a
 * request ends its connection (the socket is any local user's); the host serves its other clients on, and holds each
 * one's requests and unread answers to a cap (`limits`, optional in argv[2]: tests lower them).
 *
 * The worker analyses one image at a time, so the host hands it one request at a time and chooses which: the stacks'
 * first, in the order they came, then the test processes'. An e2e labelling, which a test waits on end to end, waits
 * for at most the one analysis under way, never behind the unit files' queue (the evaluation set's twenty requests).
 * Strict stacks-first order means a local process that connects to `stacksSocket` (its name derives from `socket`'s)
 * and keeps it busy delays the test processes: accepted, as the host serves only a test run on a developer's machine.
 *
 * Listening is the lock: a host that finds `socket` taken exits at once (another test process or the e2e setup started one first); it
 * listens on `stacksSocket` once it holds `socket`. The host exits when its last client has gone (every test process
 * holds its connection until it exits, the e2e setup until the stacks stop), or when none came within a minute. Plain
 * JavaScript: it runs without a loader.
 *
 * LABELCAST_TEST_CPU_LOG, when set, names a file the host appends its CPU time to as it exits (see exitHost).
 */
import { Buffer } from 'node:buffer';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import { Worker } from 'node:worker_threads';
import { frame, frameReader } from '../../local/rekognition/engine-frames.js';

const config = JSON.parse(process.argv[2]);
const { socket, stacksSocket, start, settings } = config;
// stderr is a pipe to the test process that started the host, which may end first: what the worker logs after that is lost, not fatal.
process.stderr.on('error', () => undefined);
/** How long the host waits for a first client, and then for another one after the last has gone. */
const idleMs = { first: 60_000, last: 1_000 };
/** How long the host, once ending, waits for its worker to exit and then for its clients' last frames to go out. */
const endingMs = { worker: 5_000, clients: 5_000 };

/**
 * Exits, after appending this process's CPU time (user + system, its worker's included) to the file
 * LABELCAST_TEST_CPU_LOG names, if it names one: a run's measurement counts the host, which no test process waits for
 * (./shared-vision-engine.ts says how).
 */
function exitHost(code) {
  const cpuLog = process.env.LABELCAST_TEST_CPU_LOG;
  if (cpuLog) {
    const usage = process.resourceUsage();
    try {
      appendFileSync(cpuLog, `${((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(3)} vision-engine-host ${process.pid}\n`);
    } catch (error) {
      process.stderr.write(`vision engine host: the CPU log was not written: ${error.message}\n`);
    }
  }
  process.exit(code);
}

/**
 * What the host takes of one client, as the socket is any local user's (argv's `limits` may lower them, for tests):
 * requests queued for the worker or in it and not yet answered (the next ones wait in the socket, unread, or, as a
 * chunk read may hold several, in the client's `unread`), and answers queued for a client that does not read them
 * (past it, the host reads none of its requests, and hands the worker none of those it read, until they have gone out).
 */
const limits = { requestsHeld: 64, writableBytes: 16 * 1024 * 1024, ...config.limits };

/**
 * Each client → the socket it came by ('stacks' or 'tests'), how many of its requests are queued for the worker or in
 * it (`held`), and those read past the cap (`unread`).
 */
const clients = new Map();
/** Requests read and not yet handed to the worker, in the order they came, by the socket their client came by. */
const waiting = { stacks: [], tests: [] };
/** The host's request id → the client and the client's own id. */
const requests = new Map();
let nextId = 1;
/** Whether the worker has a request it has not answered: it gets the next one only then. */
let workerBusy = false;
/** The worker's 'ready' or 'failed', for clients that connect after it. */
let loaded;
let worker;
/**
 * Set once the host has decided to end: it listens no more, and a connection it had not greeted yet ends unanswered,
 * so its test process starts another host rather than keep a connection to one that is ending.
 */
let closing = false;
const end = () => {
  closing = true;
  server.close();
  if (stacksServer?.listening) stacksServer.close();
  if (!worker) exitHost(0);
  void worker.terminate();
  // The worker's 'exit' ends the host; should it never come, the host ends anyway.
  setTimeout(() => exitHost(0), endingMs.worker).unref();
};
let idleTimer = setTimeout(end, idleMs.first);

const send = (client, message) => {
  if (client.destroyed) return;
  client.write(frame(message));
  flow(client);
};
const broadcast = (message) => {
  for (const client of clients.keys()) send(client, message);
};

/** Whether `message` is a request as local/rekognition/engine-connection.ts sends them (local/rekognition/engine/messages.ts's ToWorker). */
const isRequest = (message) =>
  typeof message === 'object' &&
  message !== null &&
  message.type === 'analyze' &&
  typeof message.id === 'number' &&
  message.bytes instanceof Uint8Array &&
  typeof message.tasks === 'object' &&
  message.tasks !== null;

/**
 * Queues the client's read requests for the worker while fewer than the cap of its are queued or in it, and reads on
 * from its socket only while none waits past the cap and its unread answers are under theirs.
 */
function flow(client) {
  const state = clients.get(client);
  if (!state || client.destroyed) return;
  while (state.unread.length > 0 && state.held < limits.requestsHeld) {
    state.held += 1;
    waiting[state.door].push({ client, message: state.unread.shift() });
  }
  if (state.unread.length > 0 || client.writableLength > limits.writableBytes) client.pause();
  else client.resume();
}

/** Whether the host may hand the worker a request of `client`'s: its unread answers are within their cap. */
const takesAnswers = ({ client }) => client.writableLength <= limits.writableBytes;

/**
 * Hands the worker the next request, the stacks' first, when it has none: the first waiting one whose client's unread
 * answers are within their cap. The others wait (their client's 'drain' calls this again): one chunk read may hold
 * many requests, so stopping reading alone would still give the worker all of those.
 */
function handNext() {
  if (workerBusy || !worker) return;
  const door = ['stacks', 'tests'].find((name) => waiting[name].some(takesAnswers));
  if (!door) return;
  const [next] = waiting[door].splice(waiting[door].findIndex(takesAnswers), 1);
  const { client, message } = next;
  const id = nextId++;
  requests.set(id, { client, id: message.id });
  workerBusy = true;
  // The bytes as deserialized are a view into the socket's buffer: a copy of their own is moved to the worker.
  const bytes = new Uint8Array(message.bytes);
  worker.postMessage({ type: 'analyze', id, bytes, tasks: message.tasks }, [bytes.buffer]);
}

function startWorker() {
  worker = new Worker(start.filename, { ...start.options, ...settings });
  worker.on('message', (message) => {
    if (message.type === 'ready' || message.type === 'failed') {
      loaded = message;
      broadcast(message);
      return;
    }
    const request = requests.get(message.id);
    requests.delete(message.id);
    workerBusy = false;
    // A client that went away mid-request: its answer is dropped.
    if (!request) {
      handNext();
      return;
    }
    const state = clients.get(request.client);
    if (state) state.held -= 1;
    // Its answer, then its next request queued (send's flow).
    send(request.client, { ...message, id: request.id });
    handNext();
  });
  // The clients' engines fail as for a worker of their own ('error' then 'exit', engine.ts).
  worker.on('error', (error) => broadcast({ type: 'worker-error', message: error instanceof Error ? error.message : String(error) }));
  // The clients' connections end once what was written to them (a 'worker-error' frame just before) has gone out:
  // exiting at once could drop it. A client that reads no more is waited for a moment, not for ever.
  worker.on('exit', () => {
    const flushed = [...clients.keys()].map((client) => new Promise((resolve) => client.end(resolve)));
    setTimeout(() => exitHost(0), endingMs.clients);
    void Promise.all(flushed).then(() => exitHost(0));
  });
}

/** A connection by `door` ('stacks' or 'tests'): greeted, then its requests read and queued for the worker. */
function serve(client, door) {
  if (closing) {
    client.destroy();
    return;
  }
  const state = { door, held: 0, unread: [] };
  clients.set(client, state);
  clearTimeout(idleTimer);
  // One write: a client takes the worker's 'ready' that comes with its greeting as well as one that comes later.
  client.write(Buffer.concat([frame({ type: 'hello' }), ...(loaded ? [frame(loaded)] : [])]));
  const read = frameReader((message) => {
    // Not a request of ours (the socket is anyone's on this machine; a number as `bytes` would allocate that many):
    // that connection ends, the host serves on.
    if (!isRequest(message)) throw new TypeError('not a request');
    state.unread.push(message);
  });
  client.on('data', (chunk) => {
    try {
      read(chunk);
    } catch {
      // Not a request of ours, or a length over the frames' cap.
      client.destroy();
      return;
    }
    flow(client);
    handNext();
  });
  client.on('drain', () => {
    flow(client);
    handNext();
  });
  // A client that went away mid-request: its answers are dropped.
  client.on('error', () => client.destroy());
  client.on('close', () => {
    clients.delete(client);
    waiting[door] = waiting[door].filter((request) => request.client !== client);
    for (const [id, request] of requests) if (request.client === client) requests.delete(id);
    if (clients.size === 0) idleTimer = setTimeout(end, idleMs.last);
  });
}

const server = net.createServer((client) => serve(client, 'tests'));
const stacksServer = stacksSocket === undefined ? undefined : net.createServer((client) => serve(client, 'stacks'));
server.on('error', (error) => {
  // Another host listens already: its clients are ours.
  if (error.code === 'EADDRINUSE') exitHost(0);
  process.stderr.write(`vision engine host: ${error.message}\n`);
  exitHost(1);
});
/** How long the host, holding `socket`, tries for `stacksSocket`: a host that was ending may hold it a moment longer. */
const stacksListenMs = { retry: 50, total: 5_000 };
const stacksListenBy = Date.now() + stacksListenMs.total;
stacksServer?.on('error', (error) => {
  if (error.code === 'EADDRINUSE' && Date.now() < stacksListenBy && !closing) {
    setTimeout(() => closing || stacksServer.listen(stacksSocket), stacksListenMs.retry);
    return;
  }
  process.stderr.write(`vision engine host: ${stacksSocket.replace('\0', '@')}: ${error.message}\n`);
  exitHost(1);
});
server.listen(socket, () => {
  stacksServer?.listen(stacksSocket);
  startWorker();
});
