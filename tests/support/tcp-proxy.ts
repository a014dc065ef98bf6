/**
 * A TCP proxy in front of one port, for tests of what a client does when its
 * connection drops: `drop()` closes every open connection and holds new ones
 * (accepted, their bytes buffered, as a server that is restarting would keep
 * a client waiting), `resume()` forwards them and everything after.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  drop(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let held: Socket[] = [];
  let holding = false;

  const forward = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.resume();
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    if (holding) held.push(client);
    else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    drop() {
      holding = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    resume() {
      holding = false;
      const waiting = held;
      held = [];
      for (const client of waiting) if (!client.destroyed) forward(client);
    },
    async close() {
      for (const socket of [...open, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
