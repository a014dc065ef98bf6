/**
 * The shared vision engine's host (./vision-engine-host.js) as its clients see it, over a worker that stands in for
 * the engine's (no models): what reaches a client when the worker fails, the CPU log the host writes as it exits
 * when LABELCAST_TEST_CPU_LOG names one, and what a client may not do (send what is no request, have more than the cap
 * in the worker, leave more than the cap of answers unread). The real engine behind it is tests/local-rekognition's business.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * A stand-in worker that holds the requests it gets until none has come for a moment, then answers each with how
 * many it held: how many the host had in the worker at once.
 */
const holdingWorker = `
import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready', info: {} });
let held = [];
let timer;
parentPort.on('message', (message) => {
  held.push(message.id);
  clearTimeout(timer);
  timer = setTimeout(() => {
    for (const id of held) parentPort.postMessage({ type: 'analysis', id, cached: false, analysis: { held: held.length } });
    held = [];
  }, 300);
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

const analyze = (id: number) => frame({ type: 'analyze', id, bytes: new Uint8Array(4), tasks: {} });

describe('Script: vision-engine-host.js', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-vision-host-'));
  const hosts: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const host of hosts) host.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A host of its own (a socket no other run uses) over `workerSource`, with `limits` if given, and a client of it. */
  async function hostOver(workerSource: string, limits?: Record<string, number>) {
    const workerFile = path.join(dir, `worker-${randomUUID()}.mjs`);
    writeFileSync(workerFile, workerSource);
    const socket = `\0labelcast-vision-host-test-${randomUUID()}`;
    const host = spawn(process.execPath, [hostScript, JSON.stringify({ socket, start: { filename: workerFile, options: {} }, settings: {}, limits })], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    hosts.push(host);
    return { socket, client: await clientOf(socket) };
  }

  /** A connection to the host at `socket` and what it has received. */
  async function clientOf(socket: string) {
    const connection = await connectWhenListening(socket);
    const received: { type: string; id?: number; analysis?: { held: number } }[] = [];
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

  it('ends the connection of a client that sends what is no request, and serves another one on', async () => {
    // Prepare
    const { socket, client: bad } = await hostOver(holdingWorker);
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

  it("hands the worker no more of a client's requests at once than its cap, and answers them all", async () => {
    // Prepare
    const { client } = await hostOver(holdingWorker, { requestsInFlight: 2 });

    // Act
    client.connection.write(Buffer.concat([1, 2, 3, 4, 5].map(analyze)));
    const answers = await client.answers(5);

    // Assess
    expect(answers.map(({ id }) => id).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(Math.max(...answers.map(({ analysis }) => analysis?.held ?? 0))).toBe(2);
    client.connection.end();
  }, 30_000);

  it('reads no more requests of a client that leaves its answers unread past the cap, and reads on once it reads them', async () => {
    // Prepare: answers of 1 MiB, and a cap of 1 MiB on what the host holds unsent
    const countFile = path.join(dir, `count-${randomUUID()}`);
    const { client } = await hostOver(answeringWorker(countFile), { writableBytes: 1024 * 1024 });
    const requestCount = 20;

    // Act: the requests one at a time, their answers unread
    client.connection.pause();
    for (let id = 1; id <= requestCount; id++) {
      client.connection.write(analyze(id));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const handedOverWhileUnread = Number(readFileSync(countFile, 'utf8'));
    client.connection.resume();
    const answers = await client.answers(requestCount);

    // Assess: a few answers fill the cap and the sockets' buffers; the rest wait for the client to read
    expect(handedOverWhileUnread).toBeLessThan(requestCount / 2);
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
