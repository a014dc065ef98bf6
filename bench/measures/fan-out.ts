/**
 * Fan-out: 500 open onImageLabeled subscriptions, one event published by the
 * labeler's own IAM-signed publisher; time from publish until each subscriber's
 * data message arrives. The subscribers are spread over as many realtime
 * connections as AppSync's 100-per-connection quota needs, as many users' apps
 * would hold them (see lib/realtime-subscribers.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Image } from '../../api/types.ts';
import { appSyncPublisher } from '../../functions/shared/appsync-publisher.ts';
import type { BenchContext } from '../context.ts';
import { openSubscribers } from '../lib/realtime-subscribers.ts';
import { p50, p99 } from '../lib/stats.ts';

const deliveryTimeoutMs = 120_000;

export async function measureFanOut(context: BenchContext, subscribers: number) {
  const imageId = `fan-out-${randomUUID()}`;
  let publishedAt = 0;
  const latencies: number[] = [];
  const delivered = new Set<number>();
  const errors: string[] = [];
  let onAllDelivered: () => void = () => undefined;
  const allDelivered = new Promise<void>((resolve) => (onAllDelivered = resolve));
  const open = await openSubscribers(
    { graphqlUrl: context.outputs.data.url, apiKey: context.outputs.data.api_key },
    subscribers,
    { imageId },
    (subscriber, image, receivedAt) => {
      if (image.id !== imageId || delivered.has(subscriber)) return;
      delivered.add(subscriber);
      latencies.push(receivedAt - publishedAt);
      if (delivered.size === subscribers) onAllDelivered();
    },
    (error) => errors.push(error.message),
  );
  const image = (id: string): Image => ({
    id,
    status: 'LABELED',
    contentType: 'image/jpeg',
    sizeBytes: 1,
    fileName: null,
    createdAt: new Date().toISOString(),
    labeledAt: new Date().toISOString(),
    labels: [{ name: 'Benchmark', confidence: 99, parents: [], aliases: [], categories: [], instances: [] }],
    moderationLabels: [],
    error: null,
  });
  const publisher = appSyncPublisher({ graphqlUrl: context.outputs.data.url, region: context.outputs.data.aws_region });
  // A warm labeler has its credentials and its HTTPS connection already: one publish nobody
  // subscribed to keeps their one-off setup out of the delivery times.
  await publisher.publish(image(`fan-out-warm-up-${randomUUID()}`));
  try {
    publishedAt = performance.now();
    await publisher.publish(image(imageId));
    // A lost event shows as delivered < subscribers in the table, not as a hang.
    await Promise.race([allDelivered, new Promise((resolve) => setTimeout(resolve, deliveryTimeoutMs).unref())]);
  } finally {
    open.close();
  }
  for (const error of errors.slice(0, 5)) console.error(`fan-out: ${error}`);
  return { subscribers, connections: open.connections, delivered: delivered.size, p50Ms: p50(latencies), p99Ms: p99(latencies) };
}
