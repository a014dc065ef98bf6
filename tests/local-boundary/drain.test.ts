/**
 * closeOrDrain (local/http-body.ts) on a request whose client is already gone, as S3 refuses an aborted PUT
 * (IncompleteBody) once its client left: there is nothing to drain, so no clock may be started, for its 'close' has
 * fired and would never stop it (it held the request, the response and the event loop for the idle timeout).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeOrDrain } from '../../local/http-body.ts';
import { listen } from '../../local/listen.ts';

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('Function: closeOrDrain', () => {
  it('starts no drain clock for a request whose client already left', async () => {
    // Prepare: a server that, once the request is gone, refuses it as S3's refuse() does
    let timersBefore = 0;
    let timersAfter = -1;
    const refused = new Promise<void>((resolve) => {
      const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        request.once('close', () => {
          timersBefore = timers();
          closeOrDrain(request, response, 1024 * 1024, { idleTimeoutMs: 60_000 });
          timersAfter = timers();
          resolve();
        });
      });
      closers.push(() => new Promise((done) => server.close(() => done())));
      void listen(server, 0, '127.0.0.1').then((port) => {
        // Act: a body declared whole but cut off: the client leaves after a part of it
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`PUT /b/k HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 1000\r\n\r\n${'x'.repeat(10)}`);
          setTimeout(() => socket.destroy(), 50);
        });
      });
    });
    await refused;

    // Assess
    expect(timersAfter).toBe(timersBefore);
  });
});
