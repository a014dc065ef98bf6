/**
 * AppSync realtime messages on a raw WebSocket, for tests of the protocol's
 * edges: every message is kept until a test takes it, so none is skipped for
 * good, whatever order the test waits in.
 */
import type { WebSocket } from 'ws';

export type RealtimeMessage = Record<string, unknown>;

export interface RealtimeMessages {
  /** Messages received and not yet taken by `next`. */
  readonly messages: RealtimeMessage[];
  /** Resolves once the socket is open. */
  readonly opened: Promise<void>;
  /** Takes the first message of `type` (and `id`, if given), waiting for it; rejects when the socket closes first. */
  next(type: string, id?: string): Promise<RealtimeMessage>;
}

export function recordRealtimeMessages(socket: WebSocket): RealtimeMessages {
  const messages: RealtimeMessage[] = [];
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of waiters) wake();
  };
  socket.on('message', (raw) => {
    messages.push(JSON.parse(String(raw)) as RealtimeMessage);
    wakeAll();
  });
  socket.on('close', wakeAll);
  const next = (type: string, id?: string) =>
    new Promise<RealtimeMessage>((resolve, reject) => {
      const check = () => {
        const index = messages.findIndex((message) => message.type === type && (id === undefined || message.id === id));
        if (index >= 0) {
          waiters.delete(check);
          resolve(messages.splice(index, 1)[0]!);
        } else if (socket.readyState === socket.CLOSED) {
          waiters.delete(check);
          reject(new Error(`socket closed before a ${type} message; got ${JSON.stringify(messages)}`));
        }
      };
      waiters.add(check);
      check();
    });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { messages, opened, next };
}
