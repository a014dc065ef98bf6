/**
 * Completion callbacks through the running stack: requestUpload with a
 * callbackUrl, upload through the presigned URL, and a receiver on 127.0.0.1
 * that answers 500 first; the labeler retries and the second POST carries the
 * Image, signed over its URL. A receiver that drips its answer and never
 * finishes gets 3 attempts and no more, and neither delays nor repeats the
 * push. The offline stack allows loopback callbacks explicitly.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CallbackSettings } from '../../api/callback.ts';
import { loadOrCreateSecrets } from '../../local/secrets.ts';
import { fixture, labelcastClient } from '../support/amplify-client.ts';

const client = labelcastClient();

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * What a receiver does (README.md): parse the header, recompute the HMAC over
 * "<t>.<its own callbackUrl>.<body>", compare in constant time.
 */
function verifySignature(secret: string, header: string | undefined, url: string, body: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=') as [string, string]));
  if (!parts.t || !parts.v2) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${url}.${body}`).digest();
  const given = Buffer.from(parts.v2, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('Completion callback', () => {
  let server: Server;
  let baseUrl: string;
  const received = new Map<string, Received[]>();
  const waiters = new Map<string, { count: number; resolve: (requests: Received[]) => void }>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const key = request.url ?? '/';
        const list = [...(received.get(key) ?? []), { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') }];
        received.set(key, list);
        // The first POST of each path fails, so the labeler has to retry.
        response.statusCode = list.length === 1 ? 500 : 200;
        response.end();
        const waiter = waiters.get(key);
        if (waiter && list.length >= waiter.count) waiter.resolve(list);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const requestsTo = (path: string, count: number) =>
    new Promise<Received[]>((resolve) => {
      const list = received.get(path) ?? [];
      if (list.length >= count) resolve(list);
      else waiters.set(path, { count, resolve });
    });

  it('POSTs the labelled image, HMAC-signed, again after a 500', async () => {
    // Prepare
    const bytes = await fixture('cat.jpg');
    const path = '/hooks/cat';
    const { callbackSecret } = loadOrCreateSecrets(inject('stateDir'));

    // Act
    const ticket = await client.requestUpload({
      contentType: 'image/jpeg',
      sizeBytes: bytes.byteLength,
      fileName: 'cat.jpg',
      callbackUrl: `${baseUrl}${path}`,
    });
    await client.upload(ticket, bytes);
    const requests = await requestsTo(path, 2);

    // Assess
    expect(requests).toHaveLength(2);
    const [first, second] = requests as [Received, Received];
    expect(second.headers['content-type']).toBe('application/json');
    const signature = second.headers['x-labelcast-signature'] as string;
    expect(verifySignature(callbackSecret, signature, `${baseUrl}${path}`, second.body)).toBe(true);
    expect(verifySignature('another secret', signature, `${baseUrl}${path}`, second.body)).toBe(false);
    // Replayed to another receiver (or another path of this one), it does not verify.
    expect(verifySignature(callbackSecret, signature, `${baseUrl}/hooks/other`, second.body)).toBe(false);
    expect(first.headers['x-labelcast-delivery']).toBe(second.headers['x-labelcast-delivery']);
    const body = JSON.parse(second.body) as Record<string, unknown>;
    expect(body).toMatchObject({ id: ticket.imageId, status: 'LABELED', fileName: 'cat.jpg', contentType: 'image/jpeg', error: null });
    expect(body).not.toHaveProperty('callbackUrl');
    expect((body.labels as { name: string }[]).map((label) => label.name)).toContain('Cat');
    const stored = await client.image(ticket.imageId);
    expect(stored).toMatchObject({ id: ticket.imageId, status: 'LABELED', labeledAt: body.labeledAt });
  });

  it('POSTs a FAILED image too', async () => {
    // Prepare: declared size differs from the bytes sent is impossible through the presigned URL,
    // so fail through content: bytes that are not an image.
    const bytes = new TextEncoder().encode('not an image at all, just text pretending to be a jpeg');
    const path = '/hooks/failed';

    // Act
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength, callbackUrl: `${baseUrl}${path}` });
    await client.upload(ticket, bytes);
    const [, second] = (await requestsTo(path, 2)) as [Received, Received];

    // Assess
    const body = JSON.parse(second.body) as Record<string, unknown>;
    expect(body).toMatchObject({ id: ticket.imageId, status: 'FAILED' });
    expect(typeof body.error).toBe('string');
  });

  it.each([
    ['http://example.com/hook', /https/],
    ['http://10.0.0.1/hook', /https/],
    ['http://127.0.0.1@evil.example/hook', /https/],
    [`https://example.com/${'a'.repeat(2100)}`, /longer than/],
  ])('refuses %s at requestUpload with BadRequestException', async (callbackUrl, message) => {
    // Act
    const error = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: 100, callbackUrl }).then(
      () => undefined,
      (thrown: { errors: { errorType: string; message: string }[] }) => thrown.errors[0],
    );

    // Assess
    expect(error?.errorType).toBe('BadRequestException');
    expect(error?.message).toMatch(message);
  });
});

describe('Completion callback to a receiver that never finishes its answer', () => {
  // The stack's attempt deadline (lowered for e2e by tests/support/local-stack-setup.ts), and a drip
  // well inside it: one byte every 3 s against AWS's 5 s, so an idle timeout would never trip.
  const deadlineMs = Number(process.env.LABELCAST_CALLBACK_ATTEMPT_DEADLINE_MS || CallbackSettings.attemptDeadlineMs);
  const dripEveryMs = Math.min(3000, Math.floor(deadlineMs / 4));
  /** One POST the receiver got, and whether the sender has cut it off. */
  interface DripAttempt {
    readonly headers: IncomingHttpHeaders;
    readonly body: string;
    closed: boolean;
  }

  let server: Server;
  let callbackUrl: string;
  const attempts: DripAttempt[] = [];
  const responses = new Set<ServerResponse>();
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  /** Resolves once `condition` holds, looked at after each change the receiver sees. */
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!condition()) return;
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
    });

  beforeAll(async () => {
    // Answers 200 at once, then the promised body one byte at a time, forever.
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const attempt: DripAttempt = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), closed: false };
        attempts.push(attempt);
        responses.add(response);
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
        response.write('x');
        const drip = setInterval(() => response.write('x'), dripEveryMs);
        response.on('close', () => {
          clearInterval(drip);
          responses.delete(response);
          attempt.closed = true;
          changed();
        });
        changed();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/drip`;
  });

  afterAll(async () => {
    for (const response of responses) response.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gets at most 3 attempts, each cut off by its deadline, and the image is pushed once and searchable', async () => {
    // Prepare
    const bytes = await fixture('cat.jpg');
    const { callbackSecret } = loadOrCreateSecrets(inject('stateDir'));
    const ticket = await client.requestUpload({ contentType: 'image/jpeg', sizeBytes: bytes.byteLength, fileName: 'cat.jpg', callbackUrl });
    const recorder = client.recordEvents(ticket.imageId);
    await recorder.ready;

    // Act
    await client.upload(ticket, bytes);
    await until(() => attempts.length >= 1);
    // Looked up while the first attempt is still held open: the search entries never wait for the callback.
    const whileCalledBack = (await client.imagesByLabel({ label: 'Cat', limit: 100 })).items.map((image) => image.id);
    const firstOpen = attempts[0]!.closed === false;
    const pushed = await recorder.first;
    // The sender gives up on each attempt at its deadline; an idle timeout would hold the first one open for good.
    await until(() => attempts.length >= 3 && attempts.every((attempt) => attempt.closed));
    // A run that failed would be retried by Lambda after 1 s and 2 s (offline): by now a second push or a
    // 4th attempt would have shown. Nothing else is waited for.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    recorder.stop();

    // Assess
    expect(firstOpen).toBe(true);
    expect(whileCalledBack).toContain(ticket.imageId);
    expect(pushed).toMatchObject({ id: ticket.imageId, status: 'LABELED' });
    expect(recorder.events, 'onImageLabeled events').toHaveLength(1);
    expect(attempts, 'callback attempts').toHaveLength(3);
    expect(new Set(attempts.map((attempt) => attempt.headers['x-labelcast-delivery'])).size).toBe(1);
    const [first] = attempts as [DripAttempt];
    const signature = first.headers['x-labelcast-signature'] as string;
    expect(verifySignature(callbackSecret, signature, callbackUrl, first.body)).toBe(true);
    expect(verifySignature(callbackSecret, signature, callbackUrl.replace('/hooks/drip', '/hooks/other'), first.body)).toBe(false);
    expect(JSON.parse(first.body)).toMatchObject({ id: ticket.imageId, status: 'LABELED' });
    expect((await client.imagesByLabel({ label: 'Cat', limit: 100 })).items.map((image) => image.id)).toContain(ticket.imageId);
    expect(await client.image(ticket.imageId)).toMatchObject({ id: ticket.imageId, status: 'LABELED' });
  });
});
