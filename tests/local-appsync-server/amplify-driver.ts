/**
 * Runs a real aws-amplify v6 client in its own process, driven by JSON lines
 * on stdin, answering on stdout. A separate process because Node only reads
 * NODE_EXTRA_CA_CERTS (the local CA) at startup, which is exactly how a real
 * Node client trusts the local AppSync.
 *
 * In:  {seq, op: 'configure', endpoint, region, apiKey}
 *      {seq, op: 'graphql', query, variables?, authMode?}
 *      {seq, op: 'subscribe', name, query, variables?}  (answers after start_ack)
 *      {seq, op: 'unsubscribe', name}
 * Out: {seq, ok, result|error}; later {event: 'next'|'error', name, value}
 */
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import { generateClient } from 'aws-amplify/api';

(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

/** The part of amplify's client used here (its full type is too deep for tsc to compare). */
interface GraphQLClient {
  graphql(options: Record<string, unknown>): unknown;
}
let client: GraphQLClient | undefined;
const subscriptions = new Map<string, { unsubscribe(): void }>();
const acks: ((variables: unknown) => void)[] = [];

const write = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const plain = (value: unknown) => JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { ...v, message: v.message } : v))) as unknown;

Hub.listen('api', ({ payload }) => {
  if (payload.event === 'Subscription ack') acks.shift()?.((payload.data as { variables?: unknown }).variables);
});

async function handle(command: Record<string, unknown>): Promise<unknown> {
  switch (command.op) {
    case 'configure':
      Amplify.configure({
        API: {
          GraphQL: {
            endpoint: String(command.endpoint),
            region: String(command.region),
            defaultAuthMode: 'apiKey',
            apiKey: String(command.apiKey),
          },
        },
      });
      client = generateClient() as unknown as GraphQLClient;
      return null;
    case 'graphql': {
      if (!client) throw new Error('not configured');
      return await (client.graphql({
        query: String(command.query),
        variables: command.variables ?? {},
        ...(command.authMode ? { authMode: command.authMode } : {}),
      }) as Promise<unknown>);
    }
    case 'subscribe': {
      if (!client) throw new Error('not configured');
      const name = String(command.name);
      const acked = new Promise<unknown>((resolve) => acks.push(resolve));
      const failed = new Promise<never>((_resolve, reject) => {
        const observable = client!.graphql({ query: String(command.query), variables: command.variables ?? {} }) as {
          subscribe(observer: { next(value: unknown): void; error(error: unknown): void }): { unsubscribe(): void };
        };
        subscriptions.set(
          name,
          observable.subscribe({
            next: (value) => write({ event: 'next', name, value: plain(value) }),
            error: (error) => {
              write({ event: 'error', name, error: plain(error) });
              reject(Object.assign(new Error('subscription failed'), { detail: plain(error) }));
            },
          }),
        );
      });
      return await Promise.race([acked, failed]);
    }
    case 'unsubscribe':
      subscriptions.get(String(command.name))?.unsubscribe();
      subscriptions.delete(String(command.name));
      return null;
    default:
      throw new Error(`unknown op ${String(command.op)}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line) as Record<string, unknown>;
  handle(command).then(
    (result) => write({ seq: command.seq, ok: true, result: plain(result) }),
    (error: unknown) => write({ seq: command.seq, ok: false, error: plain((error as { detail?: unknown }).detail ?? error) }),
  );
});
lines.on('close', () => process.exit(0));
