/**
 * local/http-boundary.ts on a real http server: whatever a handler or an
 * upgrade listener throws becomes a 500 (logged, no internals sent) and the
 * server keeps serving; what Node's parser refuses gets a bare 4xx.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyBudget, readBoundedBody, readHeldBody } from '../../local/http-body.ts';
import {
  clientWentAway,
  decodePathname,
  defaultMaxConnections,
  endRawSocket,
  sourceAddress,
  defaultMaxRequestsInFlight,
  guardRequests,
  guardServer,
  guardUpgrades,
  requestPathname,
} from '../../local/http-boundary.ts';
import { listen } from '../../local/listen.ts';
import { onResponseOver } from '../../local/response-over.ts';
import { postOversizedBody } from '../support/oversized-post.ts';

/** Sends raw bytes and returns the status of the answer's first line (undefined when the server just closed). */
function rawStatus(port: number, bytes: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      resolve(match ? Number(match[1]) : undefined);
    });
  });
}

/** A raw connection to the server: what it sent so far, and whether the server closed it. */
async function rawConnection(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => (isClosed = true));
  return {
    socket,
    closed,
    isClosed: () => isClosed,
    /** The statuses of the answers received so far. */
    statuses: () => [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1])),
  };
}

/**
 * A raw connection that never closes its side (allowHalfOpen: Node's client would otherwise end its side as the
 * server's FIN arrives, and close the connection itself), and the server's side of it: so that the server's side
 * closing is the server's doing.
 */
async function halfOpenConnection(server: Server, port: number) {
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  const serverSide = await accepted;
  const serverClosed = new Promise<void>((resolve) => serverSide.once('close', () => resolve()));
  return { socket, ended, serverClosed, received: () => received };
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: a\r\n\r\n`;

/**
 * Resolves once `done()` holds, polling: for what the server does after a client's socket closes, which nothing
 * announces. Gives up after some 300 polls, for the assertion after it to say what is wrong.
 */
async function until(done: () => boolean): Promise<void> {
  for (let polls = 0; polls < 300 && !done(); polls += 1) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('Module: http-boundary', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A guarded server whose handler does `behave`; returns its port and what it logged. */
  async function start(behave: (request: IncomingMessage, response: ServerResponse) => unknown, maxRequestsInFlight?: number) {
    const logged: string[] = [];
    server = createServer(
      guardRequests(behave, {
        service: 'test',
        maxRequestsInFlight,
        log: (error, where) => logged.push(`${where}: ${String(error)}`),
        internalError: (_request, response) => response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'),
      }),
    );
    guardServer(server);
    const port = await listen(server, 0, '127.0.0.1');
    return { port, logged, url: `http://127.0.0.1:${port}` };
  }

  describe('Function: requestPathname', () => {
    it('reads plain paths and refuses targets that are not one', () => {
      expect(requestPathname({ url: '/graphql?x=1' })).toBe('/graphql');
      expect(requestPathname({ url: '/%ff' })).toBe('/%ff');
      expect(requestPathname({ url: '//[' })).toBeUndefined();
      expect(requestPathname({ url: '//evil.example/graphql' })).toBeUndefined();
      expect(requestPathname({ url: '*' })).toBeUndefined();
      expect(requestPathname({ url: 'http://[/x' })).toBeUndefined();
    });

    it('decodes escapes, and says undefined for malformed ones', () => {
      expect(decodePathname('/a%20b')).toBe('/a b');
      expect(decodePathname('/%ff')).toBeUndefined();
      expect(decodePathname('/%')).toBeUndefined();
    });
  });

  describe('Function: guardRequests', () => {
    it('turns a synchronous throw into the service 500, logs it, and keeps serving', async () => {
      // Prepare
      const { url, logged } = await start((request, response) => {
        if (request.url === '/throw') throw new Error('secret internals at /srv/x.ts:1');
        response.end('ok');
      });

      // Act
      const failed = await fetch(`${url}/throw`);

      // Assess
      expect(failed.status).toBe(500);
      expect(await failed.text()).toBe('internal error');
      expect(logged).toEqual([expect.stringContaining('secret internals')]);
      await expect((await fetch(`${url}/fine`)).text()).resolves.toBe('ok');
    });

    it('turns a rejection of an async handler into the service 500', async () => {
      const { url } = await start(async (request) => {
        await Promise.resolve();
        decodeURIComponent(request.url ?? '');
      });
      const failed = await fetch(`${url}/%ff`);
      expect(failed.status).toBe(500);
      expect(await failed.text()).toBe('internal error');
    });

    it('cuts the connection when the answer had already started', async () => {
      const { url } = await start(async (_request, response) => {
        response.writeHead(200);
        response.write('partial');
        await Promise.resolve();
        throw new Error('late');
      });
      await expect(fetch(`${url}/`).then((response) => response.text())).rejects.toThrow();
    });

    it('closes a connection that pipelines more requests than the cap before they are answered, serving none past it', async () => {
      // Prepare: a cap of 4; a handler that answers once it has done its work (an await here)
      let served = 0;
      const { port } = await start(async (_request, response) => {
        served += 1;
        await new Promise((resolve) => setImmediate(resolve));
        response.end('ok');
      }, 4);
      const connection = await rawConnection(port);

      // Act: 5 requests in one write
      connection.socket.write(get('/').repeat(5));

      // Assess: the server closed the connection after serving 4 (without the cap: 5 served, the connection kept)
      await Promise.race([connection.closed, until(() => served > 4)]);
      expect({ served, closed: connection.isClosed() }).toEqual({ served: 4, closed: true });
    });

    it('serves as many pipelined requests as the cap, and any number of keep-alive requests one after another', async () => {
      // Prepare
      const { port } = await start((_request, response) => response.end('ok'), 4);
      const pipelined = await rawConnection(port);
      const sequential = await rawConnection(port);

      // Act: 4 requests in one write on one connection; 12 on another, each sent once the last is answered
      pipelined.socket.write(get('/').repeat(4));
      for (let sent = 1; sent <= 12; sent += 1) {
        sequential.socket.write(get('/'));
        await until(() => sequential.statuses().length === sent);
      }
      await until(() => pipelined.statuses().length === 4);

      // Assess: every request answered, both connections still open
      expect(pipelined.statuses()).toEqual([200, 200, 200, 200]);
      expect(sequential.statuses()).toEqual(Array.from({ length: 12 }, () => 200));
      expect([pipelined.socket.destroyed, sequential.socket.destroyed]).toEqual([false, false]);
      pipelined.socket.destroy();
      sequential.socket.destroy();
    });

    it('caps requests in flight at 32 a connection by default', () => {
      expect(defaultMaxRequestsInFlight).toBe(32);
    });
  });

  describe('Function: onResponseOver', () => {
    it('tells of every answer still queued behind a pipelined one when its client leaves', async () => {
      // Prepare: the first request is never answered; the three behind it are, so their answers wait in the queue
      let arrived = 0;
      let over = 0;
      const { port } = await start((request, response) => {
        arrived += 1;
        onResponseOver(response, () => (over += 1));
        if (request.url !== '/hang') response.end('queued');
      });
      const connection = await rawConnection(port);
      connection.socket.write(get('/hang') + get('/').repeat(3));
      await until(() => arrived === 4);

      // Act: the client leaves
      connection.socket.destroy();

      // Assess: all four are over (Node itself tells only of the one its socket was writing)
      await until(() => over === 4);
      expect(over).toBe(4);
    });

    it('lets the budget have back the bodies of answers still queued when their client leaves', async () => {
      // Prepare: the first request is never answered; the bodies of the two behind it are held until they are answered
      const budget = new BodyBudget(1024 * 1024);
      let read = 0;
      const { port } = await start(async (request, response) => {
        if (request.url === '/hang') return;
        const body = await readHeldBody(request, response, { maxBytes: 4096, tooLarge: () => new Error('too large'), budget, overBudget: () => new Error('over') });
        read += 1;
        response.end(`read ${body.length}`);
      });
      const connection = await rawConnection(port);
      const post = `POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 1000\r\n\r\n${'x'.repeat(1000)}`;
      connection.socket.write(get('/hang') + post + post);
      await until(() => read === 2);
      expect(budget.heldBytes).toBe(2000);

      // Act: the client leaves
      connection.socket.destroy();

      // Assess: nothing held (without the tracking, the queued answers never closed and their 2,000 bytes stayed held)
      await until(() => budget.heldBytes === 0);
      expect(budget.heldBytes).toBe(0);
    });
  });

  describe('Function: clientWentAway', () => {
    it('counts a reset or a broken pipe once the answer started as the client leaving; a broken pipe before it is a fault', async () => {
      // Prepare: the handler asks before and after its answer started
      const { url } = await start((_request, response) => {
        const before = ['ECONNRESET', 'EPIPE'].map((code) => clientWentAway(response, Object.assign(new Error(code), { code })));
        response.writeHead(200);
        response.write('[');
        const after = ['ECONNRESET', 'EPIPE'].map((code) => clientWentAway(response, Object.assign(new Error(code), { code })));
        response.end(`${JSON.stringify({ before, after })}`);
      });

      // Act
      const answer = await (await fetch(url)).text();

      // Assess
      expect(JSON.parse(answer.slice(1))).toEqual({ before: [true, false], after: [true, true] });
    });

    it('logs a handler failing after its answer finished: the client did not go away', async () => {
      let failed!: () => void;
      const failedLate = new Promise<void>((resolve) => (failed = resolve));
      const { url, logged } = await start(async (_request, response) => {
        await new Promise<void>((resolve) => response.end('done', resolve));
        setImmediate(failed);
        throw new Error('after the answer');
      });
      expect(await (await fetch(`${url}/`)).text()).toBe('done');
      await failedLate;
      await new Promise((resolve) => setImmediate(resolve));
      expect(logged).toEqual([expect.stringContaining('after the answer')]);
    });

    it('lets a handler answer a body read past its limit, though Node has taken request.socket away', async () => {
      // Prepare: the local Rekognition's shape: read a bounded body; on an error, answer it unless the client went away
      const { port, url, logged } = await start(async (request, response) => {
        if (request.url === '/fine') return response.end('ok');
        try {
          await readBoundedBody(request, 1024 * 1024, () => new Error('too large'));
        } catch (error) {
          if (clientWentAway(response, error)) return;
          response.writeHead(413, { connection: 'close' }).end('too large');
        }
      });

      // Act: 20 MB where 1 MB is allowed; reading past the limit destroys the request, and request.socket is null after
      const status = await postOversizedBody(new URL(`http://127.0.0.1:${port}/upload`));

      // Assess: answered (asking request.socket.destroyed threw, and the rejection ended the process), and still serving
      expect(status).toBe(413);
      expect(logged).toEqual([]);
      await expect((await fetch(`${url}/fine`)).text()).resolves.toBe('ok');
    });
  });

  describe('Function: guardServer', () => {
    it('answers what the HTTP parser refuses with a 4xx', async () => {
      const { port } = await start((_request, response) => response.end('ok'));
      await expect(rawStatus(port, 'GET / HTTP/1.1\r\nno colon\r\n\r\n')).resolves.toBe(400);
      await expect(rawStatus(port, `GET / HTTP/1.1\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).resolves.toBe(431);
      await expect(rawStatus(port, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n')).resolves.toBe(200);
    });

    it('closes a connection it refuses once the answer is out, though the client never closes its side', async () => {
      const { port } = await start((_request, response) => response.end('ok'));
      const client = await halfOpenConnection(server as Server, port);

      client.socket.write('GARBAGE GARBAGE\r\n\r\n');

      // A half-close alone (end()) would leave the server's side open until the client closed: this never settled.
      await client.serverClosed;
      await client.ended;
      expect(client.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(client.socket.writableEnded).toBe(false);
      client.socket.destroy();
    });

    it('answers a connection that sends nothing within the headers timeout 408, and closes it', async () => {
      // Node's own timeout, made short: what is checked is the answer and the close, not when they come.
      server = createServer({ headersTimeout: 50, requestTimeout: 50, connectionsCheckingInterval: 10 }, (_request, response) => response.end('ok'));
      guardServer(server);
      const port = await listen(server, 0, '127.0.0.1');
      const client = await halfOpenConnection(server, port);

      await client.serverClosed;
      await client.ended;
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(client.socket.writableEnded).toBe(false);
      client.socket.destroy();
    });

    it('caps the connections open at once, closing those past the cap as they come', async () => {
      await start((_request, response) => response.end('ok'));
      expect(server?.maxConnections).toBe(defaultMaxConnections);
      server?.close();
      server = createServer((_request, response) => response.end('ok'));
      guardServer(server, { maxConnections: 1 });
      const cappedPort = await listen(server, 0, '127.0.0.1');
      const first = await halfOpenConnection(server, cappedPort);

      const second = net.connect({ host: '127.0.0.1', port: cappedPort });
      second.on('error', () => undefined);
      let secondReceived = '';
      second.on('data', (chunk: Buffer) => (secondReceived += chunk.toString('latin1')));
      // Closed by the server: the client sends nothing and would wait for an answer for good.
      await new Promise((resolve) => second.once('close', resolve));

      expect(secondReceived).toBe('');
      first.socket.write(get('/'));
      await new Promise((resolve) => first.socket.once('data', resolve));
      expect(first.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      first.socket.destroy();
    });
  });

  describe('Function: endRawSocket', () => {
    /** A raw socket that records what is written on it and whether it was destroyed. */
    const recordingSocket = (writable: boolean) => {
      const state = { written: [] as string[], destroyed: false };
      const socket = {
        get destroyed() {
          return state.destroyed;
        },
        writable,
        end(data: string, done: () => void) {
          state.written.push(data);
          done();
        },
        destroy() {
          state.destroyed = true;
        },
      };
      return { socket: socket as unknown as Duplex, state };
    };

    it('writes a bare answer, or one with a body and its headers, its length in bytes, then destroys the socket', () => {
      const bare = recordingSocket(true);
      const withBody = recordingSocket(true);
      endRawSocket(bare.socket, 404, 'Not Found');
      endRawSocket(withBody.socket, 403, 'Forbidden', { contentType: 'application/json; charset=UTF-8', text: '{"é":1}', headers: { 'x-amzn-ErrorType': 'WAFForbiddenException' } });
      expect(bare.state).toEqual({ written: ['HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'], destroyed: true });
      expect(withBody.state).toEqual({
        written: ['HTTP/1.1 403 Forbidden\r\nContent-Type: application/json; charset=UTF-8\r\nx-amzn-ErrorType: WAFForbiddenException\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{"é":1}'],
        destroyed: true,
      });
    });

    it('writes nothing on a socket no longer writable, body or not, and destroys it', () => {
      const sockets = [recordingSocket(false), recordingSocket(false)];
      endRawSocket(sockets[0]!.socket, 500, 'Internal Server Error');
      endRawSocket(sockets[1]!.socket, 403, 'Forbidden', { contentType: 'application/json', text: '{}' });
      expect(sockets.map(({ state }) => state)).toEqual([{ written: [], destroyed: true }, { written: [], destroyed: true }]);
    });
  });

  describe('Function: sourceAddress', () => {
    it('is the socket\'s remote address, and 127.0.0.1 (where the stack listens) once Node has forgotten it', () => {
      const request = (remoteAddress: string | undefined) => ({ socket: { remoteAddress } as Socket });
      expect(sourceAddress(request('127.0.0.1'))).toBe('127.0.0.1');
      expect(sourceAddress(request('::ffff:127.0.0.2'))).toBe('::ffff:127.0.0.2');
      expect(sourceAddress(request(undefined))).toBe('127.0.0.1');
    });
  });

  describe('Function: guardUpgrades', () => {
    it('turns a throwing upgrade listener into a 500 on the socket, and keeps serving', async () => {
      // Prepare
      const { port, url } = await start((_request, response) => response.end('ok'));
      const logged: string[] = [];
      server?.on(
        'upgrade',
        guardUpgrades(
          (request) => {
            new URL(request.url ?? '/', 'https://local');
          },
          { service: 'test', log: (error) => logged.push(String(error)) },
        ),
      );

      // Act
      const status = await rawStatus(port, 'GET //[ HTTP/1.1\r\nhost: a\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n');

      // Assess
      expect(status).toBe(500);
      expect(logged).toHaveLength(1);
      await expect((await fetch(url)).text()).resolves.toBe('ok');
    });
  });
});
