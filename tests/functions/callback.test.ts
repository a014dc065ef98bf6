import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toPublicImage, type Image } from '../../api/types.ts';
import {
  callbackSender,
  callbackSenderFromEnv,
  callbackSignature,
  checkAddress,
  resolveTarget,
  withCompletionCallbacks,
} from '../../functions/shared/callback.ts';

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

describe('Function: checkAddress', () => {
  it.each([
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '127.8.9.10',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '::127.0.0.1',
    '64:ff9b::10.0.0.1',
    'not-an-ip',
    '',
  ])('refuses %s', (address) => {
    expect(checkAddress(address).allowed).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8', 'fec0::1'])(
    'allows the public address %s',
    (address) => {
      expect(checkAddress(address)).toEqual({ allowed: true, loopback: false });
    },
  );

  it('allows loopback, and only loopback, when told', () => {
    expect(checkAddress('127.0.0.1', true)).toEqual({ allowed: true, loopback: true });
    expect(checkAddress('::1', true)).toEqual({ allowed: true, loopback: true });
    expect(checkAddress('::ffff:127.0.0.1', true)).toEqual({ allowed: true, loopback: true });
    expect(checkAddress('10.0.0.1', true).allowed).toBe(false);
    expect(checkAddress('169.254.169.254', true).allowed).toBe(false);
  });
});

describe('Function: resolveTarget', () => {
  it.each([
    ['https://127.0.0.1/hook', /127\.0\.0\.1/],
    ['https://[::1]/hook', /::1/],
    ['https://169.254.169.254/latest/meta-data', /169\.254/],
    ['https://[::ffff:7f00:1]/', /::ffff/],
    ['https://localhost/hook', /localhost resolves to/],
    ['https://user:pass@example.com/', /credentials/],
    ['ftp://example.com/', /scheme/],
    ['http://93.184.216.34/hook', /https/],
  ])('refuses %s', async (url, reason) => {
    await expect(resolveTarget(url, false)).rejects.toThrow(reason);
  });

  it('pins a public literal address, and takes plain http to loopback only when allowed', async () => {
    await expect(resolveTarget('https://93.184.216.34:8443/x', false)).resolves.toMatchObject({ address: '93.184.216.34', family: 4 });
    await expect(resolveTarget('http://127.0.0.1:9/x', true)).resolves.toMatchObject({ address: '127.0.0.1', family: 4 });
    await expect(resolveTarget('http://10.0.0.1/x', true)).rejects.toThrow(/10\.0\.0\.1/);
  });
});

describe('Function: callbackSignature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    // Prepare
    const body = '{"id":"img-1"}';
    const expected = createHmac('sha256', 'secret').update(`1700000000.${body}`).digest('hex');

    // Act
    const signature = callbackSignature('secret', 1_700_000_000, body);

    // Assess
    expect(signature).toBe(`t=1700000000,v1=${expected}`);
  });
});

describe('Function: callbackSender', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A receiver on 127.0.0.1 that answers each request with the next status. */
  async function receiver(statuses: number[]) {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.statusCode = statuses[received.length - 1] ?? 200;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`, received };
  }

  it('retries a 500, then delivers the public image signed, with one delivery id', async () => {
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
    expect(last!.headers['x-labelcast-signature']).toBe(callbackSignature('s3cret', 1_700_000_000, last!.body));
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
    expect(outcome).toMatchObject({ delivered: false, reason: 'HTTP 400' });
    expect(received).toHaveLength(1);
  });

  it('refuses loopback unless the environment allows it, without connecting', async () => {
    // Prepare
    const { url, received } = await receiver([200]);

    // Act
    const strict = callbackSenderFromEnv(silent, { CALLBACK_SECRET: 's' });
    const outcome = await strict!.deliver(url, image);

    // Assess
    expect(outcome).toMatchObject({ delivered: false, attempts: 0 });
    expect(received).toHaveLength(0);
    expect(callbackSenderFromEnv(silent, {})).toBeUndefined();
  });
});

describe('Function: withCompletionCallbacks', () => {
  it('publishes first, then calls back only images that carry a callbackUrl', async () => {
    // Prepare
    const order: string[] = [];
    const publisher = { publish: async (item: Image) => void order.push(`publish ${item.id}`) };
    const sender = {
      deliver: async (url: string, item: Image) => {
        order.push(`callback ${item.id} ${url}`);
        return { delivered: true as const, attempts: 1, status: 200 };
      },
    };
    const withCallbacks = withCompletionCallbacks(publisher, sender);

    // Act
    await withCallbacks.publish(image);
    await withCallbacks.publish({ ...image, id: 'img-2', callbackUrl: undefined } as unknown as Image);

    // Assess
    expect(order).toEqual(['publish img-1', 'callback img-1 https://example.com/hook', 'publish img-2']);
  });
});
