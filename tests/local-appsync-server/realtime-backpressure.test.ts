/**
 * A realtime client that sends faster than its messages are handled
 * (local/appsync/realtime/connection.ts): its socket is no longer read from
 * while maxPendingMessages of its messages wait, so what it sends waits on
 * its side of TCP instead of in the server's memory; reading resumes once
 * they are handled, and every message is still answered, in order.
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { maxPendingMessages, serveConnection, type ConnectionContext } from '../../local/appsync/realtime/connection.ts';
import { subscriptionDocumentBudget } from '../../local/appsync/realtime/document-budget.ts';
import type { AuthResult } from '../../local/appsync/server/auth.ts';
import { RequestErrors } from '../../local/appsync/server/errors.ts';

/** The part of a `ws` socket the connection uses, with what it did recorded. */
class RecordingSocket extends EventEmitter {
  public readonly OPEN = 1;
  public readyState = 1;
  public bufferedAmount = 0;
  public isPaused = false;
  public readonly sent: Record<string, unknown>[] = [];

  public send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  public pause(): void {
    this.isPaused = true;
  }
  public resume(): void {
    this.isPaused = false;
  }
  public close(): void {
    this.readyState = 3;
  }
  public terminate(): void {
    this.readyState = 3;
  }
}

describe('Function: serveConnection (backpressure on what a client sends)', () => {
  it('stops reading a client whose messages pile up, then reads on and answers every one in order', async () => {
    // Prepare: the connection's auth is still being checked, so every start waits for it
    const socket = new RecordingSocket();
    let settleAuth: (auth: AuthResult) => void = () => undefined;
    const connectionAuth = new Promise<AuthResult>((resolve) => (settleAuth = resolve));
    const context = {
      timings: { connectionTimeoutMs: 300_000, keepAliveIntervalMs: 60_000, connectionInitTimeoutMs: 60_000 },
      subscriptionDocuments: subscriptionDocumentBudget(),
    } as unknown as ConnectionContext;
    const end = serveConnection(socket as unknown as WebSocket, { connectionAuth, sourceIp: '127.0.0.1' }, context);
    const start = (id: string) => JSON.stringify({ id, type: 'start', payload: { data: '{}', extensions: { authorization: {} } } });

    // Act: the client sends a burst; as ws does, messages already read still arrive after pause()
    const burst = maxPendingMessages * 4;
    let pausedAt: number | undefined;
    for (let index = 0; index < burst; index += 1) {
      socket.emit('message', Buffer.from(start(`s-${index}`)), false);
      if (socket.isPaused) pausedAt ??= index + 1;
    }
    await new Promise((resolve) => setImmediate(resolve));

    // Assess: no longer read from once maxPendingMessages wait
    expect(pausedAt).toBe(maxPendingMessages);
    expect(socket.isPaused).toBe(true);

    // Act: the auth check ends (refused), so every start is answered
    settleAuth({ ok: false, error: RequestErrors.unauthorized() });
    for (let turn = 0; turn < 100 && socket.sent.length < burst; turn += 1) await new Promise((resolve) => setImmediate(resolve));

    // Assess: read from again, and every start answered in the order sent
    expect(socket.isPaused).toBe(false);
    expect(socket.sent.map((message) => [message.type, message.id])).toEqual(Array.from({ length: burst }, (_, index) => ['error', `s-${index}`]));
    end();
  });
});
