/**
 * Starts a server on host:port and resolves with the port it got (port 0
 * picks a free one). A port another process holds is a PortInUseError, which
 * `npm start` prints as one line naming the port and LABELCAST_PORT.
 */
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/** The port is taken (EADDRINUSE): most often another `npm start`. */
export class PortInUseError extends Error {
  public override readonly name = 'PortInUseError';

  public constructor(
    public readonly host: string,
    public readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`port ${port} on ${host} is in use (another npm start?)`, options);
  }
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port, { cause: error }) : error);
    server.once('error', refuse);
    server.listen(port, host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
