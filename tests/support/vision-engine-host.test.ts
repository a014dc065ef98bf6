/**
 * The shared vision engine's host (./vision-engine-host.js) as its clients see it, over a worker that stands in for
 * the engine's (no models): what reaches a client when the worker fails, the CPU log the host writes as it exits
 * when LABELCAST_TEST_CPU_LOG names one, the order in which it hands its worker the requests (one at a time, the e2e
 * stacks' socket's first), and what a client may not do (send what is no request, have more than the cap held, leave
 * more than the cap of answers unread). The real engine behind it is tests/local-rekognition's business.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { frame, frameReader } from '../../local/rekognition/engine-frames.js';

const hostScript = fileURLToPath(new URL('./vision-engine-host.js', import.meta.url));
/** A larger answer than a local socket holds, so the host still has it to write when its worker fails. */
const bigAnswerBytes = 4 * 1024 * 1024;

/**
 * The stand-in worker: 'ready' at once; the first request gets a large answer, the second one breaks it (an uncaught
 * error: the worker's 'error', then its 'exit').
 */
const fakeWorker = `
import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready', info: {} });
let requests = 0;
parentPort.on('message', (message) => {
  requests += 1;
  if (requests === 1) parentPort.postMessage({ type: 'analysis', id: message.id, cached: false, analysis: { padding: 'x'.repeat(${bigAnswerBytes}) } });
  else throw new Error('the stand-in worker broke');
});
`;

/**
 * A stand-in worker that records the requests it gets, each by its first byte (the test's tag), and how many it had
 * not answered yet when it got each. It holds the first one until `releaseFile` exists (so that the others queue in
 * the host meanwhile; `countFile` says it has it), then answers each at once with the order it got them in so far.
 */
const orderingWorker = (countFile: string, releaseFile: string) => `
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready', info: {} });
const order = [];
let unanswered = 0;
let maxUnanswered = 0;
const answer = (id) => {
  unanswered -= 1;
  parentPort.postMessage({ type: 'analysis', id, cached: false, analysis: { order: [...order], maxUnanswered } });
};
parentPort.on('message', (message) => {
  maxUnanswered = Math.max(maxUnanswered, unanswered);
  unanswered += 1;
  order.push(message.bytes[0]);
  writeFileSync(${JSON.stringify(countFile)}, String(order.length));
  if (order.length > 1) return answer(message.id);
  const timer = setInterval(() => {
    if (!existsSync(${JSON.stringify(releaseFile)})) return;
    clearInterval(timer);
    answer(message.id);
  }, 20);
});
`;

/**
 * A stand-in worker that answers each request at once with a 1 MiB analysis, and writes how many requests it has had
 * to `countFile`.
 */
const answeringWorker = (countFile: string) => `
import { writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready', info: {} });
let received = 0;
parentPort.on('message', (message) => {
  received += 1;
  writeFileSync(${JSON.stringify(countFile)}, String(received));
  parentPort.postMessage({ type: 'analysis', id: message.id, cached: false, analysis: { padding: 'x'.repeat(1024 * 1024) } });
});
`;

const analyze = (id: number, tag = 0) => frame({ type: 'analyze', id, bytes: new Uint8Array([tag, 0, 0, 0]), tasks: {} });
/** Writes `data` and resolves once it has gone to the socket (not only to the stream's buffer). */
const sent = (connection: net.Socket, data: Uint8Array) => new Promise<void>((resolve, reject) => connection.write(data, (error) => (error ? reject(error) : resolve())));
const until = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
};
/**
 * How long the cap test lets the host go on with what its client sent before counting what the worker got (an idle
 * process on a local socket: milliseconds). No answer depends on it: a correct host hands over a few however long.
 */
const readMs = 500;

describe('Script: vision-engine-host.js', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-vision-host-'));
  const hosts: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const host of hosts) host.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A host of its own (sockets no other run uses: `socket`, and `stacksSocket` whose clients it serves first) over
   * `workerSource`, with `limits` if given, and a client of it by `socket`.
   */
  async function hostOver(workerSource: string, limits?: Record<string, number>) {
    const workerFile = path.join(dir, `worker-${randomUUID()}.mjs`);
    writeFileSync(workerFile, workerSource);
    const socket = `\0labelcast-vision-host-test-${randomUUID()}`;
    const stacksSocket = `${socket}-stacks`;
    const host = spawn(process.execPath, [hostScript, JSON.stringify({ socket, stacksSocket, start: { filename: workerFile, options: {} }, settings: {}, limits })], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    hosts.push(host);
    return { socket, stacksSocket, client: await clientOf(socket) };
  }

  /** A worker that records the order it gets requests in, held on its first until `release`; `received` counts them. */
  function orderingWorkerFiles() {
    const countFile = path.join(dir, `count-${randomUUID()}`);
    const releaseFile = path.join(dir, `release-${randomUUID()}`);
    return {
      source: orderingWorker(countFile, releaseFile),
      received: () => {
        try {
          return Number(readFileSync(countFile, 'utf8'));
        } catch {
          return 0;
        }
      },
      release: () => writeFileSync(releaseFile, ''),
    };
  }

  /** A connection to the host at `socket` and what it has received. */
  async function clientOf(socket: string) {
    const connection = await connectWhenListening(socket);
    const received: { type: string; id?: number; analysis?: { order: number[]; maxUnanswered: number } }[] = [];
    const closed = new Promise<void>((resolve) => connection.on('close', () => resolve()));
    connection.on('error', () => undefined);
    connection.on(
      'data',
      frameReader((message) => received.push(message as (typeof received)[number])),
    );
    const answers = async (count: number) => {
      while (received.filter(({ type }) => type === 'analysis').length < count) await new Promise((resolve) => setTimeout(resolve, 20));
      return received.filter(({ type }) => type === 'analysis');
    };
    return { connection, received, closed, answers };
  }

  /**
   * Resolves once the host has read what was sent to it before this was called: a probe connects to `socket` and waits
   * for its greeting. The host's loop finds the earlier data readable when it finds the probe's connection (by then
   * both were there), so it reads that data in the same turn as it greets the probe, before any answer of its worker's,
   * which comes in a later turn.
   */
  async function hostHasRead(socket: string) {
    const probe = await clientOf(socket);
    await until(() => probe.received.some(({ type }) => type === 'hello'));
    probe.connection.end();
  }

  it('ends the connection of a client that sends what is no request, and serves another one on', async () => {
    // Prepare
    const { socket, client: bad } = await hostOver(answeringWorker(path.join(dir, `count-${randomUUID()}`)));
    const good = await clientOf(socket);

    // Act: `bytes` as a number (new Uint8Array(n) would allocate n bytes, up to 4 GB; a small n here, so that a host
    // that took it would only answer), then a request of the other client's
    bad.connection.write(frame({ type: 'analyze', id: 1, bytes: 1024, tasks: {} }));
    await bad.closed;
    good.connection.write(analyze(7));

    // Assess
    expect((await good.answers(1)).map(({ id }) => id)).toEqual([7]);
    good.connection.end();
  }, 30_000);

  it("hands the worker one request at a time, the stacks' socket's before the test processes' that came first", async () => {
    // Prepare: the worker holds a test process's first request while its next three queue in the host
    const worker = orderingWorkerFiles();
    const { stacksSocket, client: testProcess } = await hostOver(worker.source);
    testProcess.connection.write(Buffer.concat([1, 2, 3, 4].map((id) => analyze(id, id))));
    await until(() => worker.received() === 1);

    // Act: a stack's request comes after them
    const stack = await clientOf(stacksSocket);
    await sent(stack.connection, analyze(1, 9));
    await hostHasRead(stacksSocket);
    worker.release();
    const answers = [...(await testProcess.answers(4)), ...(await stack.answers(1))];

    // Assess: the stack's went to the worker next, and the worker never had two at once
    expect(Math.max(...answers.map(({ analysis }) => analysis?.order.length ?? 0))).toBe(5);
    expect(answers.find(({ analysis }) => analysis?.order.length === 5)?.analysis?.order).toEqual([1, 9, 2, 3, 4]);
    expect(answers.map(({ analysis }) => analysis?.maxUnanswered)).toEqual([0, 0, 0, 0, 0]);
    testProcess.connection.end();
    stack.connection.end();
  }, 30_000);

  it("holds no more of a client's requests than its cap: the rest wait unread, and another client's come before them", async () => {
    // Prepare: a cap of 2, and the worker holding the first request
    const worker = orderingWorkerFiles();
    const { socket, client: greedy } = await hostOver(worker.source, { requestsHeld: 2 });
    greedy.connection.write(Buffer.concat([1, 2, 3, 4, 5].map((id) => analyze(id, id))));
    await until(() => worker.received() === 1);

    // Act: another client's request, after the five
    const other = await clientOf(socket);
    await sent(other.connection, analyze(1, 9));
    await hostHasRead(socket);
    worker.release();
    const answers = [...(await greedy.answers(5)), ...(await other.answers(1))];

    // Assess: the first client's third request was taken only once its first was answered, after the other's
    expect(answers.find(({ analysis }) => analysis?.order.length === 6)?.analysis?.order).toEqual([1, 2, 9, 3, 4, 5]);
    greedy.connection.end();
    other.connection.end();
  }, 30_000);

  it('reads no more requests of a client that leaves its answers unread past the cap, and reads on once it reads them', async () => {
    // Prepare: answers of 1 MiB, and a cap of 1 MiB on what the host holds unsent
    const countFile = path.join(dir, `count-${randomUUID()}`);
    const { client } = await hostOver(answeringWorker(countFile), { writableBytes: 1024 * 1024 });
    const requestCount = 20;

    // Act: the requests in one write (the host reads them in a chunk or a few, all under the cap on requests held),
    // their answers unread
    client.connection.pause();
    client.connection.write(Buffer.concat(Array.from({ length: requestCount }, (_, index) => analyze(index + 1))));
    await until(() => existsSync(countFile));
    await new Promise((resolve) => setTimeout(resolve, readMs));
    const handedOverWhileUnread = Number(readFileSync(countFile, 'utf8'));
    client.connection.resume();
    const answers = await client.answers(requestCount);

    // Assess: a few answers fill the cap and the sockets' buffers (whatever the timing, as the host hands the worker
    // no request of a client past it); the rest wait for the client to read
    expect(handedOverWhileUnread).toBeLessThan(requestCount / 4);
    expect(answers).toHaveLength(requestCount);
    client.connection.end();
  }, 30_000);

  it("sends a client the worker's failure and what it had to write before it, logs its CPU time, and exits 0", async () => {
    // Prepare: a host of its own (a socket no other run uses) over the stand-in worker, its CPU logged
    const workerFile = path.join(dir, 'fake-worker.mjs');
    writeFileSync(workerFile, fakeWorker);
    const cpuLog = path.join(dir, 'cpu.log');
    const socket = `\0labelcast-vision-host-test-${randomUUID()}`;
    const host = spawn(process.execPath, [hostScript, JSON.stringify({ socket, start: { filename: workerFile, options: {} }, settings: {} })], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LABELCAST_TEST_CPU_LOG: cpuLog },
    });
    const hostExit = new Promise<number | null>((resolve) => host.on('exit', resolve));
    const connection = await connectWhenListening(socket);
    const received: { type: string; message?: string }[] = [];
    const closed = new Promise<void>((resolve) => connection.on('close', () => resolve()));
    connection.on('error', () => undefined);
    connection.on(
      'data',
      frameReader((message) => received.push(message as { type: string })),
    );

    // Act: two requests, the answer to the first left unread while the second breaks the worker
    connection.write(Buffer.concat([1, 2].map((id) => frame({ type: 'analyze', id, bytes: new Uint8Array(4), tasks: {} }))));
    connection.pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    connection.resume();
    await closed;
    const exitCode = await hostExit;

    // Assess
    // Node gives no order between a worker's last message and its 'error' (under load the error came first once):
    // both reach the client whole, in either order, before the host exits.
    const types = received.map(({ type }) => type);
    expect(types.slice(0, 2)).toEqual(['hello', 'ready']);
    expect(types.slice(2).sort()).toEqual(['analysis', 'worker-error']);
    expect(received.find(({ type }) => type === 'worker-error')?.message).toContain('the stand-in worker broke');
    expect(exitCode).toBe(0);
    expect(readFileSync(cpuLog, 'utf8')).toMatch(new RegExp(`^\\d+\\.\\d{3} vision-engine-host ${host.pid}\\n$`));
  }, 30_000);
});

/** A connection to the host at `socket`, once it listens. */
async function connectWhenListening(socket: string): Promise<net.Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const connection = net.connect(socket);
        connection.once('connect', () => resolve(connection));
        connection.once('error', reject);
      });
    } catch (error) {
      if (attempt > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
