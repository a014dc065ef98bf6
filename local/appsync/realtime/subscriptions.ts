/**
 * Live subscriptions and the fan-out of mutation results to them. A published
 * payload is the mutation's result as the mutation selected it; each
 * subscriber receives it through its own selection set (server/subscribe.ts;
 * what the mutation did not select comes back null, as on AppSync), if its filter matches: the
 * resolver's enhanced filter when it set one, else AppSync's basic filter
 * (each argument the client gave must equal the payload's field of that name).
 */
import { isDeepStrictEqual } from 'node:util';
import { matchesSubscriptionFilter } from '../resolvers/index.ts';
import type { ServedSchema } from '../server/schema.ts';

export interface LiveSubscription {
  /** The client's id for it, unique per connection. */
  readonly id: string;
  readonly fieldName: string;
  /** Argument values after coercion, only those the client gave. */
  readonly arguments: Record<string, unknown>;
  /** The resolver's enhanced filter, if it set one. */
  readonly filter: unknown;
  /** The resolver's invalidation filter (setSubscriptionInvalidationFilter), if it set one. */
  readonly invalidationFilter: unknown;
  /**
   * Hands it one published payload (server/subscribe.ts runs the subscriber's
   * selection set over it); resolves once its message was handled.
   */
  readonly deliver: (payload: unknown) => Promise<void>;
  /** Ends it from the server side (invalidation): the client is sent `complete`. */
  readonly end: () => void;
}

export interface SubscriptionRegistry {
  add(subscription: LiveSubscription): void;
  remove(subscription: LiveSubscription): void;
  /** Fans a resolved mutation out to the matching subscriptions; resolves once every one was sent its message. */
  fanOut(mutationField: string, payload: unknown): Promise<number>;
  /** Ends the subscriptions on a field whose invalidation filter matches the payload; returns how many. */
  invalidate(subscriptionField: string, payload: Record<string, unknown>): number;
  readonly size: number;
}

/** AppSync's basic filtering: every given argument equals the payload's same-named field. */
export function matchesArguments(args: Record<string, unknown>, payload: unknown): boolean {
  const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  return Object.entries(args).every(([name, value]) => isDeepStrictEqual(fields[name] ?? null, value ?? null));
}

export function matchesSubscription(subscription: Pick<LiveSubscription, 'arguments' | 'filter'>, payload: unknown): boolean {
  if (subscription.filter !== undefined && subscription.filter !== null) {
    const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    return matchesSubscriptionFilter(subscription.filter, fields);
  }
  return matchesArguments(subscription.arguments, payload);
}

export function subscriptionRegistry(served: ServedSchema): SubscriptionRegistry {
  const byField = new Map<string, Set<LiveSubscription>>();
  return {
    add(subscription) {
      const set = byField.get(subscription.fieldName) ?? new Set();
      set.add(subscription);
      byField.set(subscription.fieldName, set);
    },
    remove(subscription) {
      byField.get(subscription.fieldName)?.delete(subscription);
    },
    async fanOut(mutationField, payload) {
      const matching = served
        .subscriptionsOf(mutationField)
        .flatMap((fieldName) => [...(byField.get(fieldName) ?? [])])
        .filter((subscription) => matchesSubscription(subscription, payload));
      // Every subscriber's stream runs on its own (each keeps its own order), so one slow subscriber delays no other.
      await Promise.all(matching.map((subscription) => subscription.deliver(payload)));
      return matching.length;
    },
    invalidate(subscriptionField, payload) {
      let ended = 0;
      for (const subscription of [...(byField.get(subscriptionField) ?? [])]) {
        const filter = subscription.invalidationFilter;
        if (filter === undefined || filter === null || !matchesSubscriptionFilter(filter, payload)) continue;
        subscription.end();
        ended += 1;
      }
      return ended;
    },
    get size() {
      let count = 0;
      for (const set of byField.values()) count += set.size;
      return count;
    },
  };
}
