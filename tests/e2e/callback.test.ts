/**
 * Completion callbacks through the running stack: requestUpload with a
 * callbackUrl, upload through the presigned URL, and a receiver on 127.0.0.1
 * that answers 500 first; the labeler retries and the second POST carries the
 * signed Image. The offline stack allows loopback callbacks explicitly.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadOrCreateSecrets } from '../../local/secrets.ts';
import { fixture, labelcastClient } from '../support/amplify-client.ts';

const client = labelcastClient();

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a receiver does: parse the header, recompute the HMAC over "<t>.<body>", compare in constant time. */
function verifySignature(secret: string, header: string | undefined, body: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=') as [string, string]));
  if (!parts.t || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
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
    expect(verifySignature(callbackSecret, second.headers['x-labelcast-signature'] as string, second.body)).toBe(true);
    expect(verifySignature('another secret', second.headers['x-labelcast-signature'] as string, second.body)).toBe(false);
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
