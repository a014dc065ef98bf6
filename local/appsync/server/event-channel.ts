/**
 * An async-iterable queue of published payloads for one subscription: the
 * source event stream graphql-js's subscribe() maps through execute. A push
 * settles once its event has been taken and handled by the consumer (the
 * consumer asks for the next one, or the channel closes), so a publisher can
 * wait until every subscriber was sent its message.
 */

export interface EventChannel<T> extends AsyncIterableIterator<T> {
  /** Queues an event; resolves once the consumer is done with it, or the channel closed. */
  push(event: T): Promise<void>;
  /** Ends the stream: pending and future pushes settle at once. */
  close(): void;
  readonly closed: boolean;
}

export function eventChannel<T>(): EventChannel<T> {
  const queued: { event: T; handled: () => void }[] = [];
  // The consumer waiting for an event, if any.
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  // The event the consumer took last: handled once it asks for the next one.
  let inHand: (() => void) | undefined;
  let closed = false;

  const releaseInHand = () => {
    inHand?.();
    inHand = undefined;
  };

  const channel: EventChannel<T> = {
    push(event) {
      if (closed) return Promise.resolve();
      return new Promise<void>((handled) => {
        if (waiting) {
          const deliver = waiting;
          waiting = undefined;
          inHand = handled;
          deliver({ value: event, done: false });
        } else {
          queued.push({ event, handled });
        }
      });
    },
    close() {
      if (closed) return;
      closed = true;
      releaseInHand();
      for (const { handled } of queued.splice(0)) handled();
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    },
    get closed() {
      return closed;
    },
    next() {
      releaseInHand();
      if (closed) return Promise.resolve({ value: undefined, done: true });
      const next = queued.shift();
      if (next) {
        inHand = next.handled;
        return Promise.resolve({ value: next.event, done: false });
      }
      return new Promise<IteratorResult<T>>((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      channel.close();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return channel;
    },
  };
  return channel;
}
