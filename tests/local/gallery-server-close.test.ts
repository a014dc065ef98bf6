/**
 * The gallery server stops with the stack (Ctrl-C, or a test's restart) even while a browser holds connections
 * open that carry no request: one Chromium opened beside the page's kept the stack's stop waiting a minute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';
import { startGalleryServer } from '../../local/gallery/server.ts';

const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-gallery-close-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** Resolves once the server has ended the client's connection. */
const endedByServer = (socket: Socket) => new Promise<void>((resolve) => socket.on('error', () => undefined).once('close', () => resolve()));

describe('Gallery server: close', () => {
  it('ends connections that sent no request, mid-handshake or after it, instead of waiting for the browser', async () => {
    // Prepare: one client connected over TCP that never starts TLS, one that ends its TLS handshake and asks nothing
    const tls = await loadOrCreateTls(stateDir);
    const gallery = await startGalleryServer({ root: stateDir, outputs: {}, tls, host: '127.0.0.1', port: 0, connectTo: [], imagesFrom: [] });
    const { port } = new URL(gallery.url);
    const bare = connectTcp(Number(port), '127.0.0.1');
    await new Promise((resolve) => bare.once('connect', resolve));
    const idle = connectTls({ port: Number(port), host: '127.0.0.1', ca: tls.ca });
    await new Promise((resolve) => idle.once('secureConnect', resolve));
    const [bareEnded, idleEnded] = [endedByServer(bare), endedByServer(idle)];

    // Act: stop the server while both stay connected (without the fix, close() waits for them: the test times out)
    await gallery.close();

    // Assess: the server ended both
    await expect(Promise.all([bareEnded, idleEnded])).resolves.toEqual([undefined, undefined]);
  });
});
