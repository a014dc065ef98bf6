/**
 * The tests' shared vision engine (./shared-vision-engine.ts): one engine worker thread for every test process of
 * a run, or for the e2e stacks (LABELCAST_VISION_ENGINE_SOCKET, local/rekognition/engine-connection.ts), so the models load
 * once a run and an image one test file analysed is answered from the worker's analysis cache for another, whichever vitest worker runs it. argv[2] is `{ socket, start, settings }` as JSON: the local
 * socket to listen on, the worker's start (local/rekognition/engine/worker-start.ts) and its settings
 * (engineWorkerSettings in engine.ts). Each client is greeted ('hello'), then sends the worker's requests and gets
 * its answers, framed (local/rekognition/engine-frames.js); each request keeps its client's id, the worker sees ids of the
 * host's own. What a client sends that is not such a request ends its connection (the socket is any local user's); the
 * host serves its other clients on, and holds each one's requests in the worker and unread answers to a cap (`limits`,
 * optional in argv[2]: tests lower them).
 *
 * Listening is the lock: a host that finds the socket taken exits at once (another test process started one first).
 * The host exits when its last client has gone (every test process holds its connection until it exits), or when
 * none came within a minute. Plain JavaScript: it runs without a loader.
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
const { socket, start, settings } = config;
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
 * requests handed to the worker and not yet answered (the next ones wait in the socket, unread), and answers queued
 * for a client that does not read them (past it, the host reads none of its requests until they have gone out).
 */
const limits = { requestsInFlight: 64, writableBytes: 16 * 1024 * 1024, ...config.limits };

/** Each client → its requests in the worker and those read but not yet handed to it (a chunk holds several). */
const clients = new Map();
/** The host's request id → the client and the client's own id. */
const requests = new Map();
let nextId = 1;
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

/** Whether `message` is a request as ./engine-connection.ts sends them (engine/messages.ts's ToWorker). */
const isRequest = (message) =>
  typeof message === 'object' &&
  message !== null &&
  message.type === 'analyze' &&
  typeof message.id === 'number' &&
  message.bytes instanceof Uint8Array &&
  typeof message.tasks === 'object' &&
  message.tasks !== null;

/**
 * Hands the client's read requests to the worker while it has fewer than the cap there, and reads on from its socket
 * only while none waits and its unread answers are under the cap.
 */
function flow(client) {
  const state = clients.get(client);
  if (!state || client.destroyed) return;
  while (state.pending.length > 0 && state.inFlight < limits.requestsInFlight) {
    const message = state.pending.shift();
    const id = nextId++;
    requests.set(id, { client, id: message.id });
    state.inFlight += 1;
    // The bytes as deserialized are a view into the socket's buffer: a copy of their own is moved to the worker.
    const bytes = new Uint8Array(message.bytes);
    worker.postMessage({ type: 'analyze', id, bytes, tasks: message.tasks }, [bytes.buffer]);
  }
  if (state.pending.length > 0 || client.writableLength > limits.writableBytes) client.pause();
  else client.resume();
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
    if (!request) return;
    const state = clients.get(request.client);
    if (state) state.inFlight -= 1;
    send(request.client, { ...message, id: request.id });
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

const server = net.createServer((client) => {
  if (closing) {
    client.destroy();
    return;
  }
  const state = { inFlight: 0, pending: [] };
  clients.set(client, state);
  clearTimeout(idleTimer);
  // One write: a client takes the worker's 'ready' that comes with its greeting as well as one that comes later.
  client.write(Buffer.concat([frame({ type: 'hello' }), ...(loaded ? [frame(loaded)] : [])]));
  const read = frameReader((message) => {
    // Not a request of ours (the socket is anyone's on this machine; a number as `bytes` would allocate that many):
    // that connection ends, the host serves on.
    if (!isRequest(message)) throw new TypeError('not a request');
    state.pending.push(message);
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
  });
  client.on('drain', () => flow(client));
  // A client that went away mid-request: its answers are dropped.
  client.on('error', () => client.destroy());
  client.on('close', () => {
    clients.delete(client);
    for (const [id, request] of requests) if (request.client === client) requests.delete(id);
    if (clients.size === 0) idleTimer = setTimeout(end, idleMs.last);
  });
});
server.on('error', (error) => {
  // Another host listens already: its clients are ours.
  if (error.code === 'EADDRINUSE') exitHost(0);
  process.stderr.write(`vision engine host: ${error.message}\n`);
  exitHost(1);
});
server.listen(socket, startWorker);
