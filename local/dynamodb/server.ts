/**
 * Local Amazon DynamoDB: dynalite (DynamoDB's JSON 1.0 protocol over LevelDB)
 * persisted under dataDir. Tables change state at once instead of after
 * AWS's few seconds of CREATING. A damaged store stops the start with a
 * StateFileError (./data-dir.ts).
 */
import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
import { listen } from '../listen.ts';
import { checkDynamoDbDataDir } from './data-dir.ts';
import { inProcessTransport, type DynamoDbTransport } from './in-process.ts';

export interface LocalDynamoDbOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly host?: string;
}

export interface LocalDynamoDb {
  readonly endpoint: string;
  /** The same server for callers in this process: requests go to its handler without a socket. */
  readonly transport: DynamoDbTransport;
  close(): Promise<void>;
}

interface DynaliteOptions {
  readonly path: string;
  readonly createTableMs: number;
  readonly deleteTableMs: number;
  readonly updateTableMs: number;
}

const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const host = options.host ?? '127.0.0.1';
  await checkDynamoDbDataDir(options.dataDir);
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, options.port, host);
  // dynalite's one request listener is its HTTP handler, bound to the store.
  const [handler] = server.listeners('request') as RequestListener[];
  return {
    endpoint: `http://${host}:${port}`,
    transport: inProcessTransport(handler),
    // dynalite's close also closes LevelDB once in-flight operations finish.
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
