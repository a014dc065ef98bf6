/**
 * The gallery server reads each built file once, however many requests ask for it at once (the attacker review's
 * F2: 2,000 pipelined GETs of the bundle held 2,000 copies of it, 250 → 681 MiB), and a file it does not keep in
 * memory is streamed and closed once its answer is over, sent or not. Counted on Linux: the bytes this process reads
 * (/proc/self/io's rchar, less what its client sockets read) and its file descriptors on the file (/proc/self/fd).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';
import { startGalleryServer, type GalleryServer } from '../../local/gallery/server.ts';

const stateDir = mkdtempSync(path.join(tmpdir(), 'labelcast-gallery-files-'));
const root = path.join(stateDir, 'dist');
const assetBytes = 200 * 1024;
const asset = '/assets/index-0123abcd.js';
let tls: Awaited<ReturnType<typeof loadOrCreateTls>>;
let gallery: GalleryServer | undefined;

beforeAll(async () => {
  tls = await loadOrCreateTls(stateDir);
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, asset), 'x'.repeat(assetBytes));
});
afterEach(async () => {
  await gallery?.close();
  gallery = undefined;
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const start = async (maxKeptBytes?: number, servedRoot = root) => {
  gallery = await startGalleryServer({ root: servedRoot, outputs: {}, tls, host: '127.0.0.1', port: 0, connectTo: [], imagesFrom: [], maxKeptBytes });
  return Number(new URL(gallery.url).port);
};

/** One GET over HTTPS: the status and the body. */
const fetchText = (port: number, target: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: target, ca: tls.ca }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });

/** A TLS connection to the gallery, handshake done. */
async function connection(port: number): Promise<TLSSocket> {
  const socket = connect({ port, host: '127.0.0.1', ca: tls.ca });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  return socket;
}

const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

/** Bytes this process has read through read() calls (files and sockets alike). */
const bytesReadByProcess = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);

/** The process's open file descriptors on the asset. */
const openAssetFiles = () =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).endsWith(asset.split('/').pop() ?? '');
    } catch {
      return false; // closed since it was listed
    }
  }).length;

describe('Gallery server: a build that changes under it', () => {
  it('serves a build renamed into place, and a file rewritten in place, as they are now, not the copies it kept', async () => {
    // Prepare: a build served once, so that its files are kept
    const site = path.join(stateDir, 'site');
    mkdirSync(path.join(site, 'assets'), { recursive: true });
    writeFileSync(path.join(site, 'index.html'), '<script src="/assets/index-old.js"></script>');
    writeFileSync(path.join(site, 'assets', 'index-old.js'), 'old bundle');
    const port = await start(undefined, site);
    expect((await fetchText(port, '/')).body).toContain('index-old.js');

    // Act: another start's build renamed into place (gallery/build.ts), then its index.html rewritten in place
    const next = path.join(stateDir, 'site-next');
    mkdirSync(path.join(next, 'assets'), { recursive: true });
    writeFileSync(path.join(next, 'index.html'), '<script src="/assets/index-new.js"></script>');
    writeFileSync(path.join(next, 'assets', 'index-new.js'), 'new bundle');
    renameSync(site, path.join(stateDir, 'site-old'));
    renameSync(next, site);
    const renamed = await fetchText(port, '/');
    const bundle = await fetchText(port, '/assets/index-new.js');
    const gone = await fetchText(port, '/assets/index-old.js');
    writeFileSync(path.join(site, 'index.html'), '<script src="/assets/index-new.js" defer></script>');
    const rewritten = await fetchText(port, '/');

    // Assess
    expect(renamed.body).toContain('index-new.js');
    expect(bundle).toEqual({ status: 200, body: 'new bundle' });
    expect(gone.status).toBe(404);
    expect(rewritten.body).toContain('defer');
  });
});

describe.runIf(process.platform === 'linux')('Gallery server: built files', () => {
  it('reads a built file from disk once for 60 pipelined requests of it', async () => {
    // Prepare: two connections (under the boundary's cap of 32 a connection), each to send 30 GETs of the bundle
    const port = await start();
    const sockets = [await connection(port), await connection(port)];
    const answered = sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let received = 0;
          socket.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received >= 30 * assetBytes) resolve();
          });
        }),
    );
    const before = bytesReadByProcess();

    // Act: each connection's 30 requests in one write; the answers read in full
    for (const socket of sockets) socket.write(get(asset).repeat(30));
    await Promise.all(answered);

    // Assess: what this process read, less what the client sockets read, is about one copy of the file (each
    // request read it before: 60 copies, 12 MB)
    const readBySockets = sockets.reduce((sum, socket) => sum + socket.bytesRead, 0);
    const readFromDisk = bytesReadByProcess() - before - readBySockets;
    expect(readFromDisk).toBeLessThan(3 * assetBytes);
    for (const socket of sockets) socket.destroy();
  });

  it('streams a file past what it keeps, and closes it once the answers are over, sent or not', async () => {
    // Prepare: nothing kept; one answer read in full, then 20 pipelined requests on a connection that reads nothing
    const port = await start(0);
    const reader = await connection(port);
    let body = '';
    reader.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
    reader.write(get(asset));
    const idle = await connection(port);
    idle.pause();
    idle.write(get(asset).repeat(20));
    for (let polls = 0; polls < 500 && (!body.endsWith('\r\n0\r\n\r\n') || openAssetFiles() < 2); polls += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Act: the client that read nothing leaves
    idle.destroy();

    // Assess: the streamed answer was the file; no file is left open (without the destroy, the queued answers' stay)
    expect(body.startsWith('HTTP/1.1 200')).toBe(true);
    expect(body.split('\r\n\r\n')[1]).toContain('x'.repeat(1000));
    for (let polls = 0; polls < 40 && openAssetFiles() > 0; polls += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openAssetFiles()).toBe(0);
    reader.destroy();
  });
});
