/**
 * appSyncPublisher (functions/shared/appsync-publisher.ts) against a stand-in
 * GraphQL endpoint: the SigV4-signed publishImageLabeled POST with its whole
 * body, one kept-alive connection for consecutive pushes, one retry when the
 * server closed that connection, TLS verified against the trusted CAs, and a
 * PublishError for an HTTP error, a GraphQL error, a new connection hung up
 * and an endpoint that never answers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageStatus, type Image } from '../../api/types.ts';
import { appSyncPublisher, publishImageLabeledMutation } from '../../functions/shared/appsync-publisher.ts';
import { PublishError } from '../../functions/shared/errors.ts';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const received: Received[] = [];
let connections = 0;
/** What the stand-in answers; undefined: it never answers. */
let answer: { status: number; body: string } | undefined;
/** Hangs up on the next request it gets, unread: as a server whose idle timeout closed the connection as the request came. */
let hangUpNext = false;
let server: Server;
let graphqlUrl: string;

const image: Image = {
  id: '3f1c9a0e-0000-4000-8000-000000000001',
  status: ImageStatus.LABELED,
  contentType: 'image/jpeg',
  sizeBytes: 1234,
  fileName: 'cat.jpg',
  createdAt: '2026-11-30T00:00:00.000Z',
  labeledAt: '2026-11-30T00:00:01.000Z',
  labels: [{ name: 'Cat', confidence: 97.5, parents: ['Animal'], aliases: [], categories: ['Animals and Pets'], instances: [] }],
  moderationLabels: [],
  properties: null,
  error: null,
  owner: 'API_KEY',
} as Image;

beforeAll(async () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'LKIAPUBLISHERTEST01');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'publisher-secret-0123456789abcdefghijklmn');
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (hangUpNext) {
      hangUpNext = false;
      request.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (answer) response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  graphqlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received.length = 0;
  connections = 0;
  hangUpNext = false;
  answer = { status: 200, body: JSON.stringify({ data: { publishImageLabeled: { id: image.id } } }) };
});

describe('Function: appSyncPublisher', () => {
  it('posts the signed mutation with the image, and keeps one connection for consecutive pushes', async () => {
    // Prepare
    const publisher = appSyncPublisher({ graphqlUrl, region: 'us-east-1' });

    // Act
    await publisher.publish(image);
    await publisher.publish(image);

    // Assess
    expect(received).toHaveLength(2);
    const [first] = received;
    expect(first.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=LKIAPUBLISHERTEST01\/\d{8}\/us-east-1\/appsync\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/);
    expect(Number(first.headers['content-length'])).toBe(Buffer.byteLength(first.body));
    const sent = JSON.parse(first.body) as { query: string; variables: { input: Image } };
    expect(sent.query).toBe(publishImageLabeledMutation);
    expect(sent.variables.input).toMatchObject({ id: image.id, status: 'LABELED', labels: image.labels });
    expect(connections).toBe(1);
  });

  it('rejects with a PublishError on an HTTP error and on a GraphQL error', async () => {
    // Prepare
    const publisher = appSyncPublisher({ graphqlUrl, region: 'us-east-1' });

    // Act + Assess
    answer = { status: 401, body: JSON.stringify({ errors: [{ errorType: 'UnauthorizedException', message: 'no' }] }) };
    await expect(publisher.publish(image)).rejects.toThrow(PublishError);
    await expect(publisher.publish(image)).rejects.toThrow('HTTP 401');
    answer = { status: 200, body: JSON.stringify({ data: null, errors: [{ errorType: 'BadRequest', message: 'status must be LABELED or FAILED' }] }) };
    await expect(publisher.publish(image)).rejects.toThrow('BadRequest: status must be LABELED or FAILED');
  });

  it('sends a push again, once, on a new connection when the kept-alive one was closed by the server', async () => {
    // Prepare
    const publisher = appSyncPublisher({ graphqlUrl, region: 'us-east-1' });
    await publisher.publish(image);

    // Act
    hangUpNext = true;
    await publisher.publish(image);

    // Assess
    expect(received).toHaveLength(2);
    expect(connections).toBe(2);
  });

  it('rejects with a PublishError when a new connection is hung up, without sending again', async () => {
    // Prepare
    const publisher = appSyncPublisher({ graphqlUrl, region: 'us-east-1' });

    // Act + Assess
    hangUpNext = true;
    await expect(publisher.publish(image)).rejects.toThrow(PublishError);
    expect(received).toHaveLength(0);
    expect(connections).toBe(1);
  });

  it('over HTTPS, verifies the endpoint: refused under a CA it does not trust, published under one it trusts (NODE_EXTRA_CA_CERTS)', async () => {
    // Prepare: a server certificate from a CA of this test's own, as the local AppSync's
    const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-publisher-tls-'));
    const tls = await loadOrCreateTls(stateDir);
    let posts = 0;
    const httpsServer = createHttpsServer({ cert: tls.cert, key: tls.key }, (request, response) => {
      posts += 1;
      request.resume().on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}'));
    });
    await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
    const httpsUrl = `https://127.0.0.1:${(httpsServer.address() as AddressInfo).port}/graphql`;
    try {
      // Act + Assess: this process does not trust the CA
      const refused = await appSyncPublisher({ graphqlUrl: httpsUrl, region: 'us-east-1' })
        .publish(image)
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PublishError);
      expect(((refused as PublishError).cause as NodeJS.ErrnoException).code).toMatch(/CERT|SIGNATURE/);
      expect(posts).toBe(0);

      // Act + Assess: a process given the CA, as the local Lambda runtime gives the labeler's
      const publishOnce = `const { appSyncPublisher } = await import(${JSON.stringify(path.resolve('functions/shared/appsync-publisher.ts'))});
        await appSyncPublisher({ graphqlUrl: ${JSON.stringify(httpsUrl)}, region: 'us-east-1' }).publish(${JSON.stringify(image)});`;
      await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', publishOnce], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caPath },
      });
      expect(posts).toBe(1);
    } finally {
      httpsServer.closeAllConnections();
      await new Promise<void>((resolve) => httpsServer.close(() => resolve()));
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('rejects with a PublishError when the endpoint never answers', async () => {
    // Prepare
    answer = undefined;
    const publisher = appSyncPublisher({ graphqlUrl, region: 'us-east-1', timeoutMs: 300 });

    // Act + Assess
    await expect(publisher.publish(image)).rejects.toThrow(PublishError);
  });
});
