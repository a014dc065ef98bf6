/**
 * What the realtime connection does, from Amplify's 'api' Hub channel: when
 * it drops, and when each subscription is acknowledged again after Amplify
 * reconnected (it retries 5 s after a drop, then every minute). Events
 * pushed while the socket was down are lost for good, so whoever gets
 * `onResubscribed` re-reads what it was waiting for: after the ack, so that
 * anything labelled later arrives as an event.
 */
import { CONNECTION_STATE_CHANGE, ConnectionState } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';

export interface ConnectionListener {
  /** The socket dropped while in use; called once a disruption. */
  onDisrupted?(): void;
  /** A subscription (by its imageId, undefined for every image) was acknowledged again after a drop. */
  onResubscribed?(imageId: string | undefined): void;
}

const disruptedStates: ReadonlySet<string> = new Set([ConnectionState.ConnectionDisrupted, ConnectionState.ConnectionDisruptedPendingNetwork]);

/** Listens until the returned function is called. */
export function listenToConnection(listener: ConnectionListener): () => void {
  let disrupted = false;
  /** Acks seen per subscription; the first is its start, any later one a resubscription. */
  const acks = new Map<string | undefined, number>();
  return Hub.listen('api', ({ payload }) => {
    if (payload.event === CONNECTION_STATE_CHANGE) {
      const state = (payload.data as { connectionState?: string } | undefined)?.connectionState ?? '';
      if (disruptedStates.has(state) && !disrupted) {
        disrupted = true;
        listener.onDisrupted?.();
      } else if (state === ConnectionState.Connected) {
        disrupted = false;
      }
      return;
    }
    if (payload.event === 'Subscription ack') {
      const imageId = (payload.data as { variables?: { imageId?: string } } | undefined)?.variables?.imageId;
      const seen = acks.get(imageId) ?? 0;
      acks.set(imageId, seen + 1);
      if (seen > 0) listener.onResubscribed?.(imageId);
    }
  });
}
