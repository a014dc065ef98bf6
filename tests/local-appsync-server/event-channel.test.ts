import { describe, expect, it } from 'vitest';
import { eventChannel } from '../../local/appsync/server/event-channel.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('eventChannel', () => {
  it('yields pushed events in order, whether pushed before or after the consumer asks', async () => {
    const channel = eventChannel<number>();
    void channel.push(1);
    const waiting = channel.next();
    expect(await waiting).toEqual({ value: 1, done: false });
    const pending = channel.next();
    void channel.push(2);
    expect(await pending).toEqual({ value: 2, done: false });
  });

  it('settles a push only once the consumer is done with its event', async () => {
    const channel = eventChannel<string>();
    let handled = false;
    const push = channel.push('a').then(() => (handled = true));
    await channel.next();
    await tick();
    // Taken but not yet handled: the consumer has not asked for the next event.
    expect(handled).toBe(false);
    void channel.next();
    await push;
    expect(handled).toBe(true);
  });

  it('settles every pending push and ends the stream when closed', async () => {
    const channel = eventChannel<string>();
    const pushes = [channel.push('a'), channel.push('b')];
    channel.close();
    await Promise.all(pushes);
    expect(await channel.next()).toEqual({ value: undefined, done: true });
    await channel.push('c'); // after close: settles at once, never delivered
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a consumer that is waiting when closed', async () => {
    const channel = eventChannel<string>();
    const waiting = channel.next();
    channel.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
  });
});
