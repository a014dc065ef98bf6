/**
 * The callback sender (functions/shared/callback-sender.ts) against real
 * receivers on 127.0.0.1: retries, signatures, and the total deadline of
 * each attempt against receivers that drip their answer and never finish.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CallbackSettings } from '../../api/callback.ts';
import { lambdaFunctions } from '../../api/manifest.ts';
import { toPublicImage, type Image } from '../../api/types.ts';
import { callbackSender, deliveryBudgetMs } from '../../functions/shared/callback-sender.ts';
import { callbackSignature } from '../../functions/shared/callback-signature.ts';
import { completionCallbacksFromEnv } from '../../functions/shared/from-env.ts';
import { PushSettings } from '../../functions/shared/image-push.ts';

const silent = { info: () => undefined, warn: () => undefined };

const image = {
  id: 'img-1',
  status: 'LABELED',
  contentType: 'image/jpeg',
  sizeBytes: 10,
  fileName: 'cat.jpg',
  createdAt: '2024-05-01T10:00:00.000Z',
  labeledAt: '2024-05-01T10:00:02.000Z',
  labels: [],
  moderationLabels: [],
  error: null,
  callbackUrl: 'https://example.com/hook',
} as unknown as Image;

/** Servers and their open sockets, closed after each test whatever state the exchange is in. */
const servers: (Server | TcpServer)[] = [];
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();

afterEach(async () => {
  for (const timer of timers) clearInterval(timer);
  timers.clear();
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server | TcpServer): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** A receiver that answers each request with the next status. */
async function receiver(statuses: number[]) {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const url = await listen(
    createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.statusCode = statuses[received.length - 1] ?? 200;
        response.end();
      });
    }),
  );
  return { url, received };
}

/**
 * A receiver that never finishes its answer: it writes `answer` one byte
 * every `everyMs`, far more often than the attempt deadline, so no idle
 * timeout would ever trip. `closedBySender` counts the connections the
 * sender cut while the drip was still going.
 */
async function drippingReceiver(answer: string, everyMs: number) {
  const counts = { connections: 0, closedBySender: 0 };
  const url = await listen(
    createTcpServer((socket) => {
      counts.connections += 1;
      let sent = 0;
      let headerSeen = false;
      let requestText = '';
      const drip = setInterval(() => {
        if (!headerSeen) return;
        socket.write(answer.slice(sent % answer.length, (sent % answer.length) + 1));
        sent += 1;
      }, everyMs);
      timers.add(drip);
      socket.on('data', (chunk: Buffer) => {
        requestText += chunk.toString('latin1');
        headerSeen ||= requestText.includes('\r\n\r\n');
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        counts.closedBySender += 1;
      });
    }),
  );
  return { url, counts };
}

describe('Function: callbackSender', () => {
  it('retries a 500, then delivers the public image signed over its URL, with one delivery id', async () => {
    // Prepare
    const { url, received } = await receiver([500, 204]);
    const sender = callbackSender({ secret: 's3cret', logger: silent, allowLoopback: true, baseDelayMs: 1, now: () => 1_700_000_000_000 });

    // Act
    const outcome = await sender.deliver(url, image);

    // Assess
    expect(outcome).toEqual({ delivered: true, attempts: 2, status: 204 });
    expect(received).toHaveLength(2);
    const [, last] = received;
    // The schema's Image fields only: no callbackUrl, no table bookkeeping.
    expect(JSON.parse(last!.body)).toEqual(toPublicImage(image));
    expect(JSON.parse(last!.body)).not.toHaveProperty('callbackUrl');
    expect(last!.headers['x-labelcast-signature']).toBe(callbackSignature('s3cret', 1_700_000_000, url, last!.body));
    expect(last!.headers['content-type']).toBe('application/json');
    expect(received[0]!.headers['x-labelcast-delivery']).toBe(last!.headers['x-labelcast-delivery']);
  });

  it('gives up after the bounded attempts, without throwing', async () => {
    // Prepare
    const { url, received } = await receiver([503, 503, 503, 503]);
    const sender = callbackSender({ secret: 's', logger: silent, allowLoopback: true, baseDelayMs: 1 });

    // Act
    const outcome = await sender.deliver(url, image);

    // Assess
    expect(outcome).toEqual({ delivered: false, attempts: 3, reason: 'HTTP 503' });
    expect(received).toHaveLength(3);
  });

  it('does not retry a 4xx other than 429', async () => {
    const { url, received } = await receiver([400]);
    const outcome = await callbackSender({ secret: 's', logger: silent, allowLoopback: true, baseDelayMs: 1 }).deliver(url, image);
    expect(outcome).toEqual({ delivered: false, attempts: 1, reason: 'HTTP 400' });
    expect(received).toHaveLength(1);
  });

  it('retries a 429', async () => {
    const { url, received } = await receiver([429, 200]);
    const outcome = await callbackSender({ secret: 's', logger: silent, allowLoopback: true, baseDelayMs: 1 }).deliver(url, image);
    expect(outcome).toEqual({ delivered: true, attempts: 2, status: 200 });
    expect(received).toHaveLength(2);
  });

  it('refuses loopback unless the environment allows it, without connecting', async () => {
    // Prepare
    const { url, received } = await receiver([200]);

    // Act
    const strict = completionCallbacksFromEnv(silent, { CALLBACK_SECRET: 's' });
    const outcome = await strict!.deliver(url, image);

    // Assess
    expect(outcome).toMatchObject({ delivered: false, attempts: 0 });
    expect(received).toHaveLength(0);
    expect(completionCallbacksFromEnv(silent, {})).toBeUndefined();
  });

  describe('a receiver that never finishes', () => {
    // Each test ends in about 3 deadlines; an idle timeout instead would hang it until this timeout.
    const deadlineMs = 400;

    it('is cut off at the deadline while it drips the status line: 3 attempts, then given up', { timeout: 10_000 }, async () => {
      // Prepare
      const { url, counts } = await drippingReceiver('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n', 50);
      const sender = callbackSender({ secret: 's', logger: silent, allowLoopback: true, baseDelayMs: 1, attemptDeadlineMs: deadlineMs });

      // Act
      const outcome = await sender.deliver(url, image);

      // Assess
      expect(outcome).toEqual({ delivered: false, attempts: 3, reason: `no complete answer within ${deadlineMs} ms` });
      expect(counts.connections).toBe(3);
      await expect.poll(() => counts.closedBySender).toBe(3);
    });

    it('is cut off at the deadline while it drips the body of a 200: 3 attempts, then given up', { timeout: 10_000 }, async () => {
      // Prepare: the status and headers come at once, then the promised 1000 bytes one at a time.
      const received = new Set<number>();
      const dripBody = await listen(
        createServer((request, response) => {
          request.resume();
          request.on('end', () => {
            received.add(received.size);
            response.writeHead(200, { 'content-length': '1000' });
            const drip = setInterval(() => response.write('x'), 50);
            timers.add(drip);
            response.on('close', () => clearInterval(drip));
          });
        }),
      );
      const sender = callbackSender({ secret: 's', logger: silent, allowLoopback: true, baseDelayMs: 1, attemptDeadlineMs: deadlineMs });

      // Act
      const outcome = await sender.deliver(dripBody, image);

      // Assess
      expect(outcome).toEqual({ delivered: false, attempts: 3, reason: `no complete answer within ${deadlineMs} ms` });
      expect(received.size).toBe(3);
    });

    it('counts an answer cut off mid-body as failed, and retries it', { timeout: 10_000 }, async () => {
      // Prepare
      let requests = 0;
      const url = await listen(
        createServer((request, response) => {
          request.resume();
          request.on('end', () => {
            requests += 1;
            response.writeHead(200, { 'content-length': '10' });
            response.write('xx', () => response.destroy());
          });
        }),
      );
      const sender = callbackSender({ secret: 's', logger: silent, allowLoopback: true, baseDelayMs: 1, attemptDeadlineMs: deadlineMs });

      // Act
      const outcome = await sender.deliver(url, image);

      // Assess
      expect(outcome).toMatchObject({ delivered: false, attempts: 3 });
      expect(requests).toBe(3);
    });
  });

  it('takes a 2xx whose body is too long to read as delivered, without reading it all', async () => {
    // Prepare
    const url = await listen(
      createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          response.writeHead(200, { 'content-length': String(1024 * 1024) });
          response.write(Buffer.alloc(128 * 1024));
        });
      }),
    );

    // Act
    const outcome = await callbackSender({ secret: 's', logger: silent, allowLoopback: true, attemptDeadlineMs: 2000 }).deliver(url, image);

    // Assess
    expect(outcome).toEqual({ delivered: true, attempts: 1, status: 200 });
  });
});

describe('Function: deliveryBudgetMs', () => {
  it('adds the lookup and every attempt at their deadline, and the longest backoffs', () => {
    expect(deliveryBudgetMs({ maxAttempts: 3, attemptDeadlineMs: 1000, baseDelayMs: 100 })).toBe(4000 + 100 + 200);
  });

  it('fits a delivery with the default settings in under half of each sending function\'s timeout', () => {
    const budget = deliveryBudgetMs(CallbackSettings);
    for (const name of ['labeler', 'labelingFailed'] as const) {
      expect(budget * 2, name).toBeLessThanOrEqual(lambdaFunctions[name].timeoutSeconds * 1000);
    }
  });

  it('leaves room, after a run has waited out a dead holder\'s push lease, for the whole delivery', () => {
    const budget = deliveryBudgetMs(CallbackSettings);
    for (const name of ['labeler', 'labelingFailed'] as const) {
      expect(PushSettings.leaseMs + budget, name).toBeLessThan(lambdaFunctions[name].timeoutSeconds * 1000);
    }
  });
});

describe('Function: completionCallbacksFromEnv', () => {
  it('lowers the attempt deadline when CALLBACK_ATTEMPT_DEADLINE_MS asks', { timeout: 10_000 }, async () => {
    // Prepare
    const { url } = await drippingReceiver('HTTP/1.1 200 OK\r\n', 50);
    const env = { CALLBACK_SECRET: 's', LABELCAST_ALLOW_LOOPBACK_CALLBACKS: '1', CALLBACK_ATTEMPT_DEADLINE_MS: '150' };

    // Act
    const outcome = await completionCallbacksFromEnv(silent, env)!.deliver(url, image);

    // Assess
    expect(outcome).toMatchObject({ delivered: false, attempts: 3, reason: 'no complete answer within 150 ms' });
  });

  it.each(['99999', '5001', '10', '1.5', 'soon'])('keeps the default deadline for CALLBACK_ATTEMPT_DEADLINE_MS=%s, with a warning', (value) => {
    // Prepare
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (message: string) => void warnings.push(message) };

    // Act
    const sender = completionCallbacksFromEnv(logger, { CALLBACK_SECRET: 's', CALLBACK_ATTEMPT_DEADLINE_MS: value });

    // Assess
    expect(sender).toBeDefined();
    expect(warnings).toEqual([expect.stringContaining(`using ${CallbackSettings.attemptDeadlineMs}`)]);
  });
});
